/**
 * `batchrouter batch submit FILE.jsonl`: upload once (reused by SHA-256), optionally quote first,
 * then create the batch with an Idempotency-Key derived from the file's SHA-256 and the options,
 * so re-running the same submit — after a timeout, a crash, a Ctrl-C — returns the same batch.
 */
import { sha256Hex } from '../../lib/crypto'
import { CliError, EXIT } from '../exit-codes'
import { confirm, printJson } from '../output'
import { apiFetch, apiJson, type Connection } from './api'
import { describeQuote, summarizeBatch, type BatchView, type QuoteView } from './batch-view'
import { uploadOnce } from './upload'
import { watchBatch } from './batch-watch'

/** Routing options shared by submit and quote (undefined = the server's default). */
export interface RoutingOptions {
  sla_tier?: string
  routing_mode?: string
  privacy_tier?: string
}

export interface SubmitOptions extends RoutingOptions {
  json: boolean
  quote: boolean
  yes: boolean
  watch: boolean
  intervalMs: number
  metadata: Record<string, string>
  idempotencyKey?: string
}

/** The metadata key under which the CLI records its submit key, to find the batch again. */
export const SUBMIT_KEY_METADATA = 'batchrouter_cli_submit'

/** The Idempotency-Key of a submit: the file's bytes and the options, nothing else. */
export function submitKey(fileSha256: string, opts: RoutingOptions & { metadata: Record<string, string> }): string {
  const options = JSON.stringify([opts.sla_tier ?? null, opts.routing_mode ?? null, opts.privacy_tier ?? null, Object.entries(opts.metadata).sort()])
  return `cli-${sha256Hex(`${fileSha256}\n${options}`).slice(0, 40)}`
}

/** Runs the submit; exit codes as in EXIT (with --watch, how the batch ended). */
export async function submitBatch(conn: Connection, path: string, opts: SubmitOptions): Promise<number> {
  const file = await uploadOnce(conn, path)
  if (!opts.json) console.log(`${file.reused ? 'reusing earlier upload' : 'uploaded'} ${file.id} (${file.lineCount ?? '?'} lines)`)
  const key = opts.idempotencyKey ?? submitKey(file.sha256, opts)
  const routing: RoutingOptions = { sla_tier: opts.sla_tier, routing_mode: opts.routing_mode, privacy_tier: opts.privacy_tier }
  // A re-run finds its batch before quoting again; the Idempotency-Key covers races and older batches.
  const earlier = await findSubmitted(conn, key)
  if (earlier) return finish(conn, earlier, opts, true)
  let quoteId: string | undefined
  if (opts.quote) {
    const quote = await apiJson<QuoteView>(conn, 'POST', '/v1/quotes/model', { json: { input_file_id: file.id, ...routing }, retry: true })
    if (!opts.json) for (const line of describeQuote(quote)) console.log(line)
    if (!opts.json && !opts.yes && process.stdin.isTTY && !(await confirm(`Submit ${quote.item_count} items for about ${quote.pricing_estimate.total} USD?`))) {
      console.log('not submitted')
      return EXIT.ok
    }
    quoteId = quote.quote_id
  }
  const body = { input_file_id: file.id, quote_id: quoteId, ...routing, metadata: { ...opts.metadata, [SUBMIT_KEY_METADATA]: key } }
  const res = await apiFetch(conn, 'POST', '/v1/batches', { json: body, headers: { 'idempotency-key': key }, retry: true }).catch((err: unknown) => {
    if (err instanceof CliError && err.envelope?.code === 'idempotency_key_reused') {
      throw new CliError(`this file was already submitted with these options as an earlier batch; pass --idempotency-key NEW_KEY to run it again (${err.message})`, EXIT.refused, err.envelope)
    }
    throw err
  })
  return finish(conn, (await res.json()) as BatchView, opts, false)
}

async function finish(conn: Connection, batch: BatchView, opts: SubmitOptions, earlier: boolean): Promise<number> {
  if (!opts.json) console.log(`${earlier ? 'already submitted' : 'submitted'}: ${summarizeBatch(batch)}`)
  if (opts.watch) return watchBatch(conn, batch.id, { json: opts.json, intervalMs: opts.intervalMs })
  if (opts.json) printJson(batch)
  else console.log(`watch it: batchrouter batch watch ${batch.id}`)
  return EXIT.ok
}

/** The newest batch (first 100) that a submit with `key` created, if any. */
async function findSubmitted(conn: Connection, key: string): Promise<BatchView | undefined> {
  const page = await apiJson<{ data: BatchView[] }>(conn, 'GET', '/v1/batches?limit=100')
  return page.data.find((b) => b.metadata?.[SUBMIT_KEY_METADATA] === key)
}
