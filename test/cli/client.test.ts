/**
 * The client CLI (`batchrouter batch|files|quote`) against a real demo server (simulator mounted),
 * as a user runs it: on a pseudo-terminal (progress bar, human text, a prompt) and piped (JSON
 * output parsed), with the exit codes scripts rely on.
 */
import { afterAll, beforeAll, describe, expect, it as baseIt } from 'bun:test'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { apiClient, freePort, registerOrg, removeDir, startServerProcess, tempDir, type ApiClient, type ServerProcess } from '../helpers/process'
import { runCliPiped, runCliPty, startCliPty } from '../helpers/cli-run'

const it = (name: string, fn: () => Promise<void>) => baseIt(name, fn, 90_000)
let server: ServerProcess
let root: string
let org: ApiClient
let env: Record<string, string>

beforeAll(async () => {
  root = tempDir('br-cli-client-')
  server = await startServerProcess({ dataDir: join(root, 'data'), config: { demo: true, tickMs: 50 } })
  org = await registerOrg(server.url)
  env = { BATCHROUTER_BASE_URL: server.url, BATCHROUTER_API_KEY: org.key }
}, 60_000)
afterAll(async () => {
  await server?.stop('SIGTERM')
  removeDir(root)
})

let files = 0
/** A new JSONL input of `n` chat requests (distinct bytes per call). */
function inputFile(n: number, model = 'gpt-4o-mini'): string {
  const tag = `f${++files}`
  const lines = Array.from({ length: n }, (_, i) => JSON.stringify({ custom_id: `${tag}-${i}`, method: 'POST', url: '/v1/chat/completions', body: { model, messages: [{ role: 'user', content: `Say ${tag} ${i}` }], max_tokens: 16 } }))
  const path = join(root, `${tag}.jsonl`)
  writeFileSync(path, lines.join('\n') + '\n')
  return path
}

const TERMINAL_STATUSES = ['completed', 'failed', 'cancelled', 'expired']
const setScenario = (body: unknown) => fetch(`${server.url}/_sim/scenario`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

describe('batchrouter batch submit --watch (terminal)', () => {
  it('uploads, submits and draws the progress bar to 100 % with cost and ETA; exits 0', async () => {
    const res = await runCliPty(['batch', 'submit', inputFile(3), '--watch'], env)
    expect(res.code).toBe(0)
    expect(res.stdout).toMatch(/uploaded file_\w+ \(3 lines\)/)
    expect(res.stdout).toMatch(/100% \| 3\/3 items \| 0 failed \| \d+\.\d{6} USD \| ETA \S+ \| completed/)
    expect(res.stdout).toMatch(/bat_\w+ completed — 3\/3 items done, 0 failed/)
    expect(res.stdout).toContain('batchrouter batch results bat_')
  })

  it('asks before submitting with --quote and submits nothing on "n"', async () => {
    const run = startCliPty(['batch', 'submit', inputFile(2), '--quote'], env)
    await run.waitFor(/Submit 2 items for about \d+\.\d{6} USD\? \[y\/N\]/)
    expect(run.output()).toMatch(/2 items, estimated total \d+\.\d{6} USD/)
    run.write('n\r')
    expect(await run.exited).toBe(0)
    expect(run.output()).toContain('not submitted')
    expect((await org.get('/v1/batches?limit=100')).body.data.filter((b: any) => b.metadata?.batchrouter_cli_submit && b.request_counts.total === 2)).toEqual([])
  })
})

describe('batchrouter batch submit (piped: JSON)', () => {
  it('prints the batch as JSON; running it again returns the same batch, not a second one', async () => {
    const path = inputFile(2)
    const first = await runCliPiped(['batch', 'submit', path, '--sla', 'flex', '--metadata', 'team=ml'], env)
    expect(first.code).toBe(0)
    const batch = JSON.parse(first.stdout)
    expect(batch.id).toMatch(/^bat_/)
    expect(batch).toMatchObject({ object: 'batch', metadata: { team: 'ml' }, batch: { sla_tier: 'flex', item_count: 2 } })
    const again = await runCliPiped(['batch', 'submit', path, '--sla', 'flex', '--metadata', 'team=ml'], env)
    expect(again.code).toBe(0)
    expect(JSON.parse(again.stdout).id).toBe(batch.id)
    const uploads = (await org.get(`/v1/files?purpose=batch&sha256=${new Bun.CryptoHasher('sha256').update(readFileSync(path)).digest('hex')}`)).body.data
    expect(uploads).toHaveLength(1)
    // Other options make another batch from the same upload.
    const other = JSON.parse((await runCliPiped(['batch', 'submit', path, '--sla', 'flex', '--metadata', 'team=data', '--json'], env)).stdout)
    expect(other.id).toMatch(/^bat_/)
    expect(other.id).not.toBe(batch.id)
    expect(other.input_file_id).toBe(batch.input_file_id)
  })

  it('--quote --yes creates the batch at the quote; a re-run finds it without quoting again', async () => {
    const path = inputFile(2)
    const first = JSON.parse((await runCliPiped(['batch', 'submit', path, '--quote', '--yes', '--json'], env)).stdout)
    expect(first.batch.quote_id).toMatch(/^qlock_/)
    const again = JSON.parse((await runCliPiped(['batch', 'submit', path, '--quote', '--yes', '--json'], env)).stdout)
    expect(again.id).toBe(first.id)
  })

  it('--watch --json prints the final batch and exits 0 when it completed', async () => {
    const res = await runCliPiped(['batch', 'submit', inputFile(2), '--watch', '--json'], env)
    expect(res.code).toBe(0)
    expect(JSON.parse(res.stdout)).toMatchObject({ status: 'completed', request_counts: { total: 2, completed: 2, failed: 0 } })
  })
})

describe('batchrouter batch results / ls / cancel / watch', () => {
  it('streams the results JSONL to -o FILE with one line per item', async () => {
    const done = JSON.parse((await runCliPiped(['batch', 'submit', inputFile(3), '--watch'], env)).stdout)
    const out = join(root, 'results.jsonl')
    const res = await runCliPiped(['batch', 'results', done.id, '-o', out], env)
    expect(res.code).toBe(0)
    const written = JSON.parse(res.stdout)
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    expect(lines.map((l) => l.status)).toEqual(['completed', 'completed', 'completed'])
    expect(written).toMatchObject({ batch_id: done.id, kind: 'results', bytes: readFileSync(out).length })
    const openai = await runCliPiped(['batch', 'results', done.id, '--kind', 'openai_output'], env)
    expect(openai.stdout.trim().split('\n').map((l) => JSON.parse(l).response.status_code)).toEqual([200, 200, 200])
  })

  it('lists batches as a table on a terminal and as the API list when piped', async () => {
    const table = await runCliPty(['batch', 'ls'], env)
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(/ID\s+STATUS\s+DONE\s+FAILED\s+COST_USD\s+CREATED/)
    const list = JSON.parse((await runCliPiped(['batch', 'ls', '--limit', '2'], env)).stdout)
    expect(list).toMatchObject({ object: 'list', has_more: true })
    expect(list.data).toHaveLength(2)
  })

  it('cancel stops a running batch; watching it then exits 4, and cancelling again exits 5', async () => {
    await setScenario({ global: { turnaround_s: 120 } })
    try {
      const running = JSON.parse((await runCliPiped(['batch', 'submit', inputFile(2)], env)).stdout)
      const cancelled = await runCliPiped(['batch', 'cancel', running.id], env)
      expect(cancelled.code).toBe(0)
      expect(['cancelling', 'cancelled']).toContain(JSON.parse(cancelled.stdout).status)
      const watched = await runCliPiped(['batch', 'watch', running.id, '--interval', '1'], env)
      expect(watched.code).toBe(4)
      expect(JSON.parse(watched.stdout).batch.status).toBe('cancelled')
      const again = await runCliPiped(['batch', 'cancel', running.id], env)
      expect(again.code).toBe(5)
      expect(again.stderr).toContain('(batch_not_cancellable)')
      expect(JSON.parse(again.stdout).error).toMatchObject({ code: 'batch_not_cancellable', status: 409 })
    } finally {
      await setScenario({})
    }
  })
})

describe('batchrouter batch watch: Ctrl-C', () => {
  it('stops watching with exit 130 and leaves the batch running', async () => {
    await setScenario({ global: { turnaround_s: 120 } })
    try {
      const running = JSON.parse((await runCliPiped(['batch', 'submit', inputFile(2)], env)).stdout)
      const run = startCliPty(['batch', 'watch', running.id], env)
      await run.waitFor(/0\/2 items \| 0 failed/)
      run.write('\x03')
      expect(await run.exited).toBe(130)
      expect(run.output()).toContain(`stopped watching; ${running.id} keeps running`)
      expect(TERMINAL_STATUSES).not.toContain((await org.get(`/v1/batches/${running.id}`)).body.batch.status)
      await org.post(`/v1/batches/${running.id}/cancel`)
    } finally {
      await setScenario({})
    }
  })
})

describe('batchrouter files and quote', () => {
  it('files ls shows uploads; files rm deletes one and a second rm exits 5', async () => {
    const path = inputFile(1)
    const quoted = await runCliPty(['quote', path], env)
    expect(quoted.code).toBe(0)
    expect(quoted.stdout).toMatch(/1 items, estimated total \d+\.\d{6} USD/)
    const listed = JSON.parse((await runCliPiped(['files', 'ls', '--purpose', 'batch'], env)).stdout)
    const file = listed.data.find((f: { filename: string }) => f.filename === path.split('/').pop())
    expect(file).toMatchObject({ purpose: 'batch', line_count: 1 })
    expect((await runCliPiped(['files', 'rm', file.id], env)).code).toBe(0)
    const again = await runCliPiped(['files', 'rm', file.id], env)
    expect(again.code).toBe(5)
    expect(again.stderr).toContain('(not_found)')
  })

  it('quote --sla flex shows what the tier takes off the total', async () => {
    const quoted = await runCliPty(['quote', inputFile(40), '--sla', 'flex'], env)
    expect(quoted.code).toBe(0)
    expect(quoted.stdout).toMatch(/40 items, estimated total \d+\.\d{6} USD \(providers \d+\.\d{6} \+ fee \d+\.\d{6} − flex ×0\.95 0\.0000[1-9]\d\); flex SLA/)
    // At ×1 the tier adds nothing and the line says nothing of it.
    expect((await runCliPty(['quote', inputFile(40)], env)).stdout).toMatch(/\(providers \d+\.\d{6} \+ fee \d+\.\d{6}\); standard SLA/)
  })

  it('quote --json prints the quote object', async () => {
    const res = await runCliPiped(['quote', inputFile(2), '--routing', 'cheapest', '--json'], env)
    expect(res.code).toBe(0)
    expect(JSON.parse(res.stdout)).toMatchObject({ quote_id: expect.stringMatching(/^qlock_/), item_count: 2, routing_mode: 'cheapest' })
  })
})

describe('client exit codes', () => {
  const cases: Array<[string, () => Promise<{ args: string[]; env: Record<string, string> }>, number, RegExp]> = [
    ['no API key', async () => ({ args: ['batch', 'ls'], env: { BATCHROUTER_BASE_URL: server.url } }), 3, /no API key/],
    ['a revoked or unknown key', async () => ({ args: ['batch', 'ls'], env: { ...env, BATCHROUTER_API_KEY: `br_live_${'x'.repeat(40)}` } }), 3, /\(unauthorized\)/],
    ['an unknown batch', async () => ({ args: ['batch', 'watch', 'bat_nope'], env }), 5, /\(not_found\)/],
    ['a missing input file', async () => ({ args: ['batch', 'submit', join(root, 'nope.jsonl')], env }), 2, /no such file/],
    ['an unknown --sla', async () => ({ args: ['batch', 'submit', inputFile(1), '--sla', 'urgent'], env }), 2, /--sla must be one of standard, flex, priority/],
    ['an unknown flag', async () => ({ args: ['files', 'ls', '--frobnicate'], env }), 2, /frobnicate/],
    ['a server that is not running', async () => ({ args: ['batch', 'ls'], env: { ...env, BATCHROUTER_BASE_URL: `http://127.0.0.1:${await freePort()}` } }), 1, /cannot reach BatchRouter/],
    ['an input with a bad line', async () => ({ args: ['batch', 'submit', badInput()], env }), 5, /line 2/],
  ]
  for (const [name, setup, code, message] of cases) {
    it(`exits ${code} for ${name}`, async () => {
      const { args, env: e } = await setup()
      const res = await runCliPiped(args, e)
      expect(res.stderr).toMatch(message)
      expect(res.code).toBe(code)
    })
  }

  it('batch --help exits 0 and documents the exit codes', async () => {
    const res = await runCliPiped(['batch', '--help'], {})
    expect(res.code).toBe(0)
    expect(res.stdout).toContain('4  the batch ended failed, expired or cancelled')
  })
})

function badInput(): string {
  const path = join(root, 'bad.jsonl')
  writeFileSync(path, `${JSON.stringify({ custom_id: 'ok', method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] } })}\n{"custom_id": "broken", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "no-such-model", "messages": []}}\n`)
  return path
}

void apiClient
