/** `batchrouter batch submit|watch|results|cancel|ls`: the client's batch commands over HTTP. */
import { createWriteStream } from 'node:fs'
import { CLIENT_OPTIONS, intFlag, oneOf, parseCommand, usageError } from '../args'
import { EXIT, EXIT_CODES_HELP } from '../exit-codes'
import { formatTime, isJsonOutput, printJson, printTable, runReporting } from '../output'
import { ROUTING_MODES, PRIVACY_TIERS, SLA_TIERS } from '../../features/routing/index'
import { apiFetch, apiJson, resolveConnection, type Connection } from './api'
import { summarizeBatch, type BatchView } from './batch-view'
import { submitBatch } from './batch-submit'
import { watchBatch } from './batch-watch'
import { requireInputFile } from './upload'

export const BATCH_USAGE = `Usage:
  batchrouter batch submit FILE.jsonl [--quote [--yes]] [--sla ${SLA_TIERS.join('|')}] [--routing MODE]
                     [--privacy ${PRIVACY_TIERS.join('|')}] [--metadata KEY=VALUE]... [--idempotency-key KEY] [--watch]
  batchrouter batch watch BATCH_ID [--interval SECONDS]
  batchrouter batch results BATCH_ID [-o FILE] [--kind results|openai_output|openai_error|receipt]
  batchrouter batch cancel BATCH_ID
  batchrouter batch ls [--limit N] [--status STATUS]

Routing modes: ${ROUTING_MODES.join(', ')}.
Connection: --base-url URL (BATCHROUTER_BASE_URL, default http://127.0.0.1:8080), --api-key KEY (BATCHROUTER_API_KEY).
Output: JSON with --json or when stdout is not a terminal. A submit is idempotent: the same file
with the same options returns the same batch (pass --idempotency-key to run it again).

${EXIT_CODES_HELP}`

const OPTIONS = {
  ...CLIENT_OPTIONS,
  quote: { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  watch: { type: 'boolean' },
  sla: { type: 'string' },
  routing: { type: 'string' },
  privacy: { type: 'string' },
  metadata: { type: 'string', multiple: true },
  'idempotency-key': { type: 'string' },
  interval: { type: 'string' },
  output: { type: 'string', short: 'o' },
  kind: { type: 'string' },
  limit: { type: 'string' },
  status: { type: 'string' },
} as const

const ARTIFACT_KINDS = ['results', 'openai_output', 'openai_error', 'receipt'] as const

/** Entry of the `batch` group; returns the exit code. */
export async function runBatchCommand(argv: string[]): Promise<number> {
  const json = isJsonOutput(argv.includes('--json'))
  return runReporting(json, async () => {
    const { values, positionals } = parseCommand(argv, OPTIONS, BATCH_USAGE)
    const [sub, target] = positionals
    if (values.help || sub === undefined || sub === 'help') {
      console.log(BATCH_USAGE)
      return values.help || sub === 'help' ? EXIT.ok : EXIT.usage
    }
    const intervalMs = intFlag(values.interval, 'interval', 1, BATCH_USAGE, 3600) * 1000
    if (sub === 'submit') {
      const path = requireInputFile(target, BATCH_USAGE)
      const conn = resolveConnection(values)
      const routing = { sla_tier: oneOf(values.sla, SLA_TIERS, 'sla', BATCH_USAGE), routing_mode: oneOf(values.routing, ROUTING_MODES, 'routing', BATCH_USAGE), privacy_tier: oneOf(values.privacy, PRIVACY_TIERS, 'privacy', BATCH_USAGE) }
      const metadata = parseMetadata(values.metadata ?? [])
      return submitBatch(conn, path, { ...routing, json, quote: values.quote === true, yes: values.yes === true, watch: values.watch === true, intervalMs, metadata, idempotencyKey: values['idempotency-key'] })
    }
    if (sub === 'ls') return listBatches(resolveConnection(values), json, intFlag(values.limit, 'limit', 20, BATCH_USAGE, 100), values.status)
    if (!['watch', 'results', 'cancel'].includes(sub)) usageError(`unknown batch command '${sub}'`, BATCH_USAGE)
    if (!target) usageError(`batch ${sub} needs a batch id (bat_…)`, BATCH_USAGE)
    const conn = resolveConnection(values)
    if (sub === 'watch') return watchBatch(conn, target, { json, intervalMs })
    if (sub === 'cancel') return cancelBatch(conn, target, json)
    return downloadResults(conn, target, values.output, oneOf(values.kind, ARTIFACT_KINDS, 'kind', BATCH_USAGE) ?? 'results', json)
  })
}

function parseMetadata(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const pair of pairs) {
    const at = pair.indexOf('=')
    if (at < 1) usageError(`--metadata takes KEY=VALUE (got '${pair}')`, BATCH_USAGE)
    out[pair.slice(0, at)] = pair.slice(at + 1)
  }
  return out
}

async function listBatches(conn: Connection, json: boolean, limit: number, status?: string): Promise<number> {
  const query = new URLSearchParams({ limit: String(limit), ...(status ? { status } : {}) })
  const page = await apiJson<{ data: BatchView[]; has_more: boolean }>(conn, 'GET', `/v1/batches?${query}`)
  if (json) {
    printJson(page)
    return EXIT.ok
  }
  const rows = page.data.map((b) => [b.id, b.batch.status, `${b.batch.counts.completed + b.batch.counts.failed + b.batch.counts.cancelled}/${b.batch.counts.total}`, String(b.batch.counts.failed), b.batch.cost_so_far.amount, formatTime(b.created_at)])
  printTable(['ID', 'STATUS', 'DONE', 'FAILED', 'COST_USD', 'CREATED'], rows, 'no batches yet')
  if (page.has_more) console.log(`(more: --limit ${Math.min(limit * 2, 100)})`)
  return EXIT.ok
}

async function cancelBatch(conn: Connection, batchId: string, json: boolean): Promise<number> {
  const batch = await apiJson<BatchView>(conn, 'POST', `/v1/batches/${encodeURIComponent(batchId)}/cancel`, { retry: true })
  if (json) printJson(batch)
  else console.log(`cancel requested: ${summarizeBatch(batch)}`)
  return EXIT.ok
}

/** Streams an artifact (default: the results JSONL) to `-o FILE` or stdout. */
async function downloadResults(conn: Connection, batchId: string, output: string | undefined, kind: string, json: boolean): Promise<number> {
  const link = await apiJson<{ url: string; bytes?: number; sha256?: string }>(conn, 'GET', `/v1/batches/${encodeURIComponent(batchId)}/artifact-url?kind=${kind}`)
  const res = await apiFetch(conn, 'GET', link.url, { retry: true })
  const hasher = new Bun.CryptoHasher('sha256')
  let bytes = 0
  const sink = output ? createWriteStream(output) : null
  for await (const chunk of res.body!) {
    hasher.update(chunk)
    bytes += chunk.length
    if (sink) {
      if (!sink.write(chunk)) await new Promise((ok) => sink.once('drain', ok))
    } else await Bun.write(Bun.stdout, chunk)
  }
  if (sink) await new Promise<void>((ok, fail) => sink.end((err?: Error | null) => (err ? fail(err) : ok())))
  const sha256 = hasher.digest('hex')
  if (link.sha256 && link.sha256 !== sha256) throw new Error(`downloaded ${kind} does not match its checksum (${sha256} ≠ ${link.sha256}); download it again`)
  if (output) {
    if (json) printJson({ batch_id: batchId, kind, path: output, bytes, sha256 })
    else console.log(`wrote ${bytes} bytes of ${kind} to ${output}`)
  }
  return EXIT.ok
}
