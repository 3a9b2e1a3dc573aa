/**
 * The batch dialects' faults for a reliability suite, asserted on the wire through the official
 * SDKs: `lose_batches` (the provider forgets a job: 404 in the provider's own shape),
 * `fail_batch` (OpenAI `failed` with `errors`; Anthropic every request errored),
 * `malformed_results_rate` (result lines that are not JSON or not the wire shape), the older
 * request faults (5xx storms with Retry-After, timeouts, latency, partial failure) on the batch
 * endpoints, and batch faults that stay with their batch across a restart.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI, { toFile } from 'openai'
import Anthropic from '@anthropic-ai/sdk'
import { FakeClock } from '../../src/lib/clock'
import { startSimulatorServer, type SimulatorServer } from '../../src/sim/server'

const CLAUDE = 'claude-haiku-4-5-20251001'
const clock = new FakeClock(Date.parse('2026-03-01T00:00:00Z'))
let sim: SimulatorServer
let openai: OpenAI
let anthropic: Anthropic

function connect(server: SimulatorServer, retries = 0): void {
  sim = server
  openai = new OpenAI({ apiKey: 'sk-test', baseURL: `${sim.url}/v1`, maxRetries: retries })
  anthropic = new Anthropic({ apiKey: 'sk-ant-test', baseURL: sim.url, maxRetries: retries })
}

beforeAll(() => connect(startSimulatorServer({ host: '127.0.0.1', port: 0, now: () => clock.now() })))
afterAll(() => sim.stop())
beforeEach(async () => {
  await fetch(`${sim.url}/_sim/reset`, { method: 'POST' })
})

const scenario = async (body: unknown) => expect((await fetch(`${sim.url}/_sim/scenario`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status).toBe(200)
const stats = async () => (await (await fetch(`${sim.url}/_sim/stats`)).json()) as { by_path: Record<string, number>; by_status: Record<string, number> }
const line = (id: string, model = 'gpt-4o-mini') => JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { model, messages: [{ role: 'user', content: `about ${id}` }], max_tokens: 30 } })
const request = (id: string) => ({ custom_id: id, params: { model: CLAUDE, max_tokens: 64, messages: [{ role: 'user' as const, content: `about ${id}` }] } })
const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`)

async function openAiBatch(lineIds: string[], model = 'gpt-4o-mini') {
  const file = await openai.files.create({ file: await toFile(Buffer.from(lineIds.map((id) => line(id, model)).join('\n') + '\n'), 'in.jsonl'), purpose: 'batch' })
  return openai.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' })
}

async function failure(call: PromiseLike<unknown>): Promise<any> {
  try {
    await call
  } catch (err) {
    return err
  }
  throw new Error('expected the call to fail')
}

/** Every line of a JSONL text, sorted into valid wire lines, lines that are not JSON, and JSON lines without `field`. */
function classify(text: string, field: 'response' | 'result') {
  const out = { valid: [] as any[], notJson: [] as string[], wrongShape: [] as any[] }
  for (const l of text.split('\n').filter((x) => x !== '')) {
    let v: any
    try {
      v = JSON.parse(l)
    } catch {
      out.notJson.push(l)
      continue
    }
    ;(field in v ? out.valid : out.wrongShape).push(v)
  }
  return out
}

describe('lose_batches: the provider forgets a job', () => {
  it('OpenAI, right after the create answer: retrieve and cancel answer OpenAI’s 404 for an unknown batch, the list omits it, the input file stays', async () => {
    await scenario({ global: { lose_batches: true, turnaround_s: 10 } })
    const created = await openAiBatch(['a', 'b'])
    expect(created).toMatchObject({ object: 'batch', status: 'validating', request_counts: { total: 2 } })
    const lost = await failure(openai.batches.retrieve(created.id))
    expect(lost).toBeInstanceOf(OpenAI.NotFoundError)
    expect(lost.status).toBe(404)
    expect(lost.error).toEqual({ message: `No batch found with id '${created.id}'.`, type: 'invalid_request_error', param: null, code: null })
    expect(await failure(openai.batches.cancel(created.id))).toBeInstanceOf(OpenAI.NotFoundError)
    expect((await openai.batches.list()).data).toEqual([])
    expect((await openai.files.retrieve(created.input_file_id)).id).toBe(created.input_file_id)
  })

  it('OpenAI, per model after lose_after_polls retrieves: the other model’s batch is kept', async () => {
    await scenario({ global: { turnaround_s: 10 }, models: { 'gpt-4o-mini': { lose_batches: true, lose_after_polls: 2 } } })
    const doomed = await openAiBatch(['d1'])
    const kept = await openAiBatch(['k1'], 'gpt-4o')
    expect((await openai.batches.retrieve(doomed.id)).id).toBe(doomed.id)
    expect((await openai.batches.list()).data.map((b) => b.id)).toEqual([kept.id, doomed.id])
    expect((await openai.batches.retrieve(doomed.id)).id).toBe(doomed.id)
    expect(await failure(openai.batches.retrieve(doomed.id))).toBeInstanceOf(OpenAI.NotFoundError)
    expect((await openai.batches.list()).data.map((b) => b.id)).toEqual([kept.id])
    clock.advance(10_000)
    expect((await openai.batches.retrieve(kept.id)).status).toBe('completed')
  })

  it('Anthropic, after one retrieve: retrieve, results and cancel answer the not_found_error envelope', async () => {
    await scenario({ global: { lose_batches: true, lose_after_polls: 1, turnaround_s: 0 } })
    const created = await anthropic.messages.batches.create({ requests: [request('a')] })
    expect((await anthropic.messages.batches.retrieve(created.id)).processing_status).toBe('ended')
    const lost = await failure(anthropic.messages.batches.retrieve(created.id))
    expect(lost).toBeInstanceOf(Anthropic.NotFoundError)
    expect(lost.error).toEqual({ type: 'error', error: { type: 'not_found_error', message: `No message batch with id ${created.id}.` }, request_id: null })
    const raw = await fetch(`${sim.url}/v1/messages/batches/${created.id}/results`, { headers: { 'anthropic-version': '2023-06-01' } })
    expect(raw.status).toBe(404)
    expect(await failure(anthropic.messages.batches.cancel(created.id))).toBeInstanceOf(Anthropic.NotFoundError)
    expect((await anthropic.messages.batches.list()).data).toEqual([])
  })

  it('applies to batches created while it is set, not to older ones, and stays with them once the scenario changes', async () => {
    await scenario({ global: { turnaround_s: 10 } })
    const before = await anthropic.messages.batches.create({ requests: [request('old')] })
    await scenario({ global: { turnaround_s: 10, lose_batches: true, lose_after_polls: 1 } })
    const during = await anthropic.messages.batches.create({ requests: [request('new')] })
    await scenario({ global: { turnaround_s: 10 } })
    for (let i = 0; i < 3; i++) expect((await anthropic.messages.batches.retrieve(before.id)).id).toBe(before.id)
    expect((await anthropic.messages.batches.retrieve(during.id)).id).toBe(during.id)
    expect(await failure(anthropic.messages.batches.retrieve(during.id))).toBeInstanceOf(Anthropic.NotFoundError)
  })
})

describe('fail_batch: the provider batch fails', () => {
  it('OpenAI: validating, then failed with errors (token_limit_exceeded), failed_at, and no output or error file', async () => {
    await scenario({ models: { 'gpt-4o-mini': { fail_batch: true, turnaround_s: 10 } } })
    const created = await openAiBatch(['f1', 'f2', 'f3'])
    expect(created).toMatchObject({ status: 'validating', errors: null })
    clock.advance(1000)
    const failed = await openai.batches.retrieve(created.id)
    expect(failed).toMatchObject({ status: 'failed', failed_at: Math.floor(clock.now() / 1000), in_progress_at: null, output_file_id: null, error_file_id: null, request_counts: { total: 3, completed: 0, failed: 0 } })
    expect(failed.errors).toEqual({ object: 'list', data: [{ code: 'token_limit_exceeded', message: expect.stringContaining('Enqueued token limit reached for gpt-4o-mini'), param: null, line: null }] })
    expect(await failure(openai.batches.cancel(created.id))).toBeInstanceOf(OpenAI.BadRequestError)
  })

  it('Anthropic (no failed status exists): ended with every request errored api_error', async () => {
    await scenario({ global: { fail_batch: true, turnaround_s: 10 } })
    const created = await anthropic.messages.batches.create({ requests: [request('f1'), request('f2')] })
    clock.advance(5000)
    expect((await anthropic.messages.batches.retrieve(created.id)).processing_status).toBe('in_progress')
    clock.advance(5000)
    const ended = await anthropic.messages.batches.retrieve(created.id)
    expect(ended).toMatchObject({ processing_status: 'ended', request_counts: { processing: 0, succeeded: 0, errored: 2, canceled: 0, expired: 0 } })
    const results: any[] = []
    for await (const r of await anthropic.messages.batches.results(created.id)) results.push(r)
    expect(results.map((r) => [r.custom_id, r.result.type, r.result.error.error.type])).toEqual([['f1', 'errored', 'api_error'], ['f2', 'errored', 'api_error']])
  })
})

describe('malformed_results_rate: result lines that are not JSON or not the wire shape', () => {
  it('OpenAI: a seeded share of output file lines is broken; the counts still say completed; a resend is drawn afresh, a replay alike', async () => {
    const setup = { global: { turnaround_s: 0, malformed_results_rate: 0.5, seed: 7 } }
    await scenario(setup)
    const lineIds = ids('m', 20)
    const done = await openai.batches.retrieve((await openAiBatch(lineIds)).id)
    expect(done).toMatchObject({ status: 'completed', request_counts: { total: 20, completed: 20, failed: 0 }, error_file_id: null })
    const text = await (await openai.files.content(done.output_file_id!)).text()
    const lines = classify(text, 'response')
    expect(lines.valid.length + lines.notJson.length + lines.wrongShape.length).toBe(20)
    expect(lines.notJson.length).toBeGreaterThan(0)
    expect(lines.wrongShape.length).toBeGreaterThan(0)
    expect(lines.valid.length).toBeGreaterThan(0)
    for (const l of lines.wrongShape) expect(Object.keys(l).sort()).toEqual(['custom_id', 'sim_malformed'])
    for (const l of lines.valid) expect(l.response.body.object).toBe('chat.completion')
    const rerun = async () => classify(await (await openai.files.content((await openai.batches.retrieve((await openAiBatch(lineIds)).id)).output_file_id!)).text(), 'response')
    const validIds = (c: typeof lines) => c.valid.map((l) => l.custom_id)
    // The same lines sent again (the second attempt of each custom id) break differently...
    expect(validIds(await rerun())).not.toEqual(validIds(lines))
    // ...and setting the scenario again restarts the draw: the first attempt breaks the same lines.
    await scenario(setup)
    const replay = await rerun()
    expect(validIds(replay)).toEqual(validIds(lines))
    expect(replay.wrongShape.map((l) => l.custom_id)).toEqual(lines.wrongShape.map((l) => l.custom_id))
  })

  it('OpenAI: unrun lines in the error file break too (rate 1), and rate 0 breaks nothing', async () => {
    await scenario({ global: { turnaround_s: 10, expire: true, malformed_results_rate: 1 } })
    const batch = await openAiBatch(ids('x', 4))
    clock.advance(10_000)
    const expired = await openai.batches.retrieve(batch.id)
    expect(expired.status).toBe('expired')
    for (const fileId of [expired.output_file_id!, expired.error_file_id!]) expect(classify(await (await openai.files.content(fileId)).text(), 'response').valid).toEqual([])
    await scenario({ global: { turnaround_s: 0, malformed_results_rate: 0 } })
    const clean = await openai.batches.retrieve((await openAiBatch(ids('y', 4))).id)
    expect(classify(await (await openai.files.content(clean.output_file_id!)).text(), 'response').valid).toHaveLength(4)
  })

  it('Anthropic: the results JSONL carries the broken lines; the SDK’s results() decoder throws on the first one that is not JSON', async () => {
    await scenario({ global: { turnaround_s: 0, malformed_results_rate: 0.5, seed: 7 } })
    const created = await anthropic.messages.batches.create({ requests: ids('m', 20).map(request) })
    const ended = await anthropic.messages.batches.retrieve(created.id)
    expect(ended.request_counts).toMatchObject({ succeeded: 20, errored: 0 })
    const text = await (await fetch(ended.results_url!, { headers: { 'anthropic-version': '2023-06-01' } })).text()
    const lines = classify(text, 'result')
    expect(lines.notJson.length).toBeGreaterThan(0)
    expect(lines.wrongShape.length).toBeGreaterThan(0)
    expect(lines.valid.length + lines.notJson.length + lines.wrongShape.length).toBe(20)
    for (const l of lines.valid) expect(l.result.type).toBe('succeeded')
    const decoded: any[] = []
    const err = await failure((async () => {
      for await (const r of await anthropic.messages.batches.results(created.id)) decoded.push(r)
    })())
    expect(err).toBeInstanceOf(SyntaxError)
    expect(decoded.length).toBeLessThan(20)
  })
})

describe('request faults on the batch endpoints', () => {
  afterEach(() => connect(sim))

  it('a 503 storm (fail_rate 1) answers every Files/Batch call in OpenAI’s envelope with Retry-After; the SDK retries, then gives up', async () => {
    connect(sim, 2)
    await scenario({ global: { fail_rate: 1, fail_status: 503, retry_after_s: 0.01 } })
    const err = await failure(openai.files.create({ file: await toFile(Buffer.from(line('a') + '\n'), 'in.jsonl'), purpose: 'batch' }))
    expect(err).toBeInstanceOf(OpenAI.InternalServerError)
    expect(err.status).toBe(503)
    expect(err.error).toMatchObject({ type: 'server_error', code: 'overloaded' })
    expect(err.headers.get('retry-after-ms')).toBe('10')
    expect(await failure(openai.batches.retrieve('batch_x'))).toBeInstanceOf(OpenAI.InternalServerError)
    expect((await stats()).by_path).toEqual({ '/v1/files': 3, '/v1/batches/batch_x': 3 })
  })

  it('a 429 storm on Message Batches answers rate_limit_error with Retry-After; the SDK retries, then gives up', async () => {
    connect(sim, 1)
    await scenario({ models: { [CLAUDE]: { fail_rate: 1, fail_status: 429, retry_after_s: 0.01 } } })
    const err = await failure(anthropic.messages.batches.create({ requests: [request('a')] }))
    expect(err).toBeInstanceOf(Anthropic.RateLimitError)
    expect(err.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } })
    expect((await stats()).by_status).toEqual({ '429': 2 })
  })

  it('timeout_rate holds a retrieve open until the SDK times out; latency_ms past the SDK timeout does too', async () => {
    await scenario({ global: { turnaround_s: 10 } })
    const batch = await anthropic.messages.batches.create({ requests: [request('t')] })
    await scenario({ global: { timeout_rate: 1 } })
    expect(await failure(anthropic.messages.batches.retrieve(batch.id, {}, { timeout: 150 }))).toBeInstanceOf(Anthropic.APIConnectionTimeoutError)
    await scenario({ models: { [CLAUDE]: { latency_ms: 60_000 } } })
    expect(await failure(anthropic.messages.batches.retrieve(batch.id, {}, { timeout: 150 }))).toBeInstanceOf(Anthropic.APIConnectionTimeoutError)
    expect((await stats()).by_status).toMatchObject({ timeout: 1 })
    await scenario({})
    expect((await anthropic.messages.batches.retrieve(batch.id)).id).toBe(batch.id)
  })

  it('partial_fail_rate errors a seeded share of Message Batch requests with api_error', async () => {
    await scenario({ global: { turnaround_s: 0, partial_fail_rate: 0.5, seed: 3 } })
    const created = await anthropic.messages.batches.create({ requests: ids('p', 10).map(request) })
    const results: any[] = []
    for await (const r of await anthropic.messages.batches.results(created.id)) results.push(r)
    const errored = results.filter((r) => r.result.type === 'errored')
    expect(errored.length).toBeGreaterThan(0)
    expect(errored.length).toBeLessThan(10)
    for (const r of errored) expect(r.result.error.error.type).toBe('api_error')
    expect((await anthropic.messages.batches.retrieve(created.id)).request_counts).toMatchObject({ succeeded: 10 - errored.length, errored: errored.length })
  })
})

describe('batch faults stay with their batch across a restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'br-sim-faults-'))
  let persistent: SimulatorServer
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('the poll count of lose_batches, fail_batch and the malformed lines survive; the scenario (in memory) does not', async () => {
    const memory = sim
    connect((persistent = startSimulatorServer({ host: '127.0.0.1', port: 0, now: () => clock.now(), dataDir: dir })))
    try {
      await scenario({ global: { turnaround_s: 0 }, models: { 'gpt-4o-mini': { lose_batches: true, lose_after_polls: 2 }, 'gpt-4o': { fail_batch: true }, [CLAUDE]: { malformed_results_rate: 0.5, seed: 7 } } })
      const lost = await openAiBatch(['l1'])
      const failed = await openAiBatch(['f1'], 'gpt-4o')
      const broken = await anthropic.messages.batches.create({ requests: ids('m', 10).map(request) })
      expect((await openai.batches.retrieve(lost.id)).status).toBe('completed')
      const resultsUrl = (await anthropic.messages.batches.retrieve(broken.id)).results_url!
      const text = await (await fetch(resultsUrl, { headers: { 'anthropic-version': '2023-06-01' } })).text()
      expect(classify(text, 'result').valid.length).toBeLessThan(10)

      const port = persistent.port
      persistent.stop()
      connect((persistent = startSimulatorServer({ host: '127.0.0.1', port, now: () => clock.now(), dataDir: dir })))
      expect(await (await fetch(`${sim.url}/_sim/scenario`)).json()).toEqual({ scenario: {} })
      expect((await openai.batches.retrieve(lost.id)).status).toBe('completed')
      expect(await failure(openai.batches.retrieve(lost.id))).toBeInstanceOf(OpenAI.NotFoundError)
      expect((await openai.batches.retrieve(failed.id)).errors?.data?.[0]?.code).toBe('token_limit_exceeded')
      expect(await (await fetch(resultsUrl, { headers: { 'anthropic-version': '2023-06-01' } })).text()).toBe(text)
    } finally {
      persistent.stop()
      connect(memory)
    }
  })
})
