/**
 * The simulator's OpenAI Files + Batch dialect, driven by the official `openai` SDK (if the SDK
 * cannot use it, the simulator is wrong): multipart upload with bracketed fields, create,
 * retrieve with the status moving over simulated time, list with cursor paging, cancel, output
 * and error files, expiry, partial failure and a failed validation.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'bun:test'
import OpenAI, { toFile } from 'openai'
import { FakeClock } from '../../src/lib/clock'
import { startSimulatorServer, type SimulatorServer } from '../../src/sim/server'

const clock = new FakeClock(Date.parse('2026-03-01T00:00:00Z'))
let sim: SimulatorServer
let client: OpenAI

beforeAll(() => {
  sim = startSimulatorServer({ host: '127.0.0.1', port: 0, now: () => clock.now() })
  client = new OpenAI({ apiKey: 'sk-test', baseURL: `${sim.url}/v1`, maxRetries: 0 })
})
afterAll(() => sim.stop())
beforeEach(async () => {
  await fetch(`${sim.url}/_sim/reset`, { method: 'POST' })
})

const scenario = (body: unknown) => fetch(`${sim.url}/_sim/scenario`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
const line = (id: string, text: string, model = 'gpt-4o-mini') => JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { model, messages: [{ role: 'user', content: text }], max_tokens: 40 } })

async function createBatch(lines: string[], metadata?: Record<string, string>) {
  const file = await client.files.create({ file: await toFile(Buffer.from(lines.join('\n') + '\n'), 'input.jsonl'), purpose: 'batch', expires_after: { anchor: 'created_at', seconds: 3600 } })
  return client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', ...(metadata ? { metadata } : {}) })
}

/** The error an SDK call rejects with (the SDK's lazy APIPromise is awaited first). */
async function failure(call: PromiseLike<unknown>): Promise<unknown> {
  try {
    await call
  } catch (err) {
    return err
  }
  throw new Error('expected the call to fail')
}

async function jsonlOf(fileId: string | null | undefined): Promise<any[]> {
  if (!fileId) return []
  const text = await (await client.files.content(fileId)).text()
  return text.trim().split('\n').map((l) => JSON.parse(l))
}

describe('OpenAI Files API (official SDK)', () => {
  it('uploads multipart with purpose=batch and bracketed expires_after, then retrieves, lists and deletes the file', async () => {
    const created = await client.files.create({ file: await toFile(Buffer.from(line('a', 'x') + '\n'), 'in.jsonl', { type: 'application/octet-stream' }), purpose: 'batch', expires_after: { anchor: 'created_at', seconds: 7200 } })
    expect(created).toMatchObject({ object: 'file', purpose: 'batch', filename: 'in.jsonl', status: 'processed', created_at: Math.floor(clock.now() / 1000) })
    expect(created.bytes).toBeGreaterThan(10)
    expect((await client.files.retrieve(created.id)).id).toBe(created.id)
    const listed = []
    for await (const f of client.files.list({ purpose: 'batch' })) listed.push(f.id)
    expect(listed).toEqual([created.id])
    expect(await client.files.delete(created.id)).toMatchObject({ id: created.id, deleted: true })
    expect(await failure(client.files.retrieve(created.id))).toBeInstanceOf(OpenAI.NotFoundError)
  })
})

describe('OpenAI Batch API (official SDK)', () => {
  it('moves validating → in_progress → finalizing → completed over simulated time, with request_counts and an output file', async () => {
    await scenario({ global: { turnaround_s: 100 } })
    const batch = await createBatch([line('r1', 'one'), line('r2', 'two')], { team: 'qa' })
    expect(batch).toMatchObject({ object: 'batch', status: 'validating', endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { team: 'qa' }, request_counts: { total: 2, completed: 0, failed: 0 }, output_file_id: null })
    const seen: string[] = []
    for (let t = 0; t <= 100; t += 5) {
      const b = await client.batches.retrieve(batch.id)
      if (seen[seen.length - 1] !== b.status) seen.push(b.status)
      if (b.status === 'completed') break
      clock.advance(5000)
    }
    expect(seen).toEqual(['validating', 'in_progress', 'finalizing', 'completed'])
    const done = await client.batches.retrieve(batch.id)
    expect(done.request_counts).toEqual({ total: 2, completed: 2, failed: 0 })
    expect(done.completed_at).toBeGreaterThan(done.created_at)
    expect(done.error_file_id).toBeNull()
    const out = await jsonlOf(done.output_file_id)
    expect(out.map((l) => l.custom_id).sort()).toEqual(['r1', 'r2'])
    for (const l of out) {
      expect(l).toMatchObject({ response: { status_code: 200, body: { object: 'chat.completion', model: 'gpt-4o-mini' } }, error: null })
      expect(l.id).toMatch(/^batch_req_/)
    }
    expect((await client.files.retrieve(done.output_file_id!)).purpose).toBe('batch_output')
  })

  it('gives the same deterministic answer as the synchronous endpoint', async () => {
    await scenario({ global: { turnaround_s: 0 } })
    const batch = await createBatch([line('d1', 'Same text please')])
    const done = await client.batches.retrieve(batch.id)
    const [out] = await jsonlOf(done.output_file_id)
    const sync = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Same text please' }], max_tokens: 40 })
    expect(out.response.body.choices).toEqual(JSON.parse(JSON.stringify(sync.choices)))
    expect(out.response.body.usage).toEqual(JSON.parse(JSON.stringify(sync.usage)))
  })

  it('cancel: cancelling, then cancelled; finished lines in the output file, the rest batch_cancelled in the error file', async () => {
    await scenario({ global: { turnaround_s: 10 } })
    const batch = await createBatch([line('c1', 'a'), line('c2', 'b'), line('c3', 'c')])
    clock.advance(4000)
    const cancelling = await client.batches.cancel(batch.id)
    expect(cancelling.status).toBe('cancelling')
    const cancelled = await client.batches.retrieve(batch.id)
    expect(cancelled.status).toBe('cancelled')
    expect(cancelled.request_counts).toEqual({ total: 3, completed: 1, failed: 2 })
    expect((await jsonlOf(cancelled.output_file_id)).map((l) => l.custom_id)).toEqual(['c1'])
    expect((await jsonlOf(cancelled.error_file_id)).map((l) => [l.custom_id, l.error.code])).toEqual([['c2', 'batch_cancelled'], ['c3', 'batch_cancelled']])
    expect(await failure(client.batches.cancel(batch.id))).toBeInstanceOf(OpenAI.BadRequestError)
  })

  it('expiry (scenario expire): expired, the finished half returned, the rest batch_expired', async () => {
    await scenario({ models: { 'gpt-4o-mini': { turnaround_s: 10, expire: true } } })
    const batch = await createBatch(['e1', 'e2', 'e3', 'e4'].map((id) => line(id, id)))
    clock.advance(10_000)
    const expired = await client.batches.retrieve(batch.id)
    expect(expired.status).toBe('expired')
    expect(expired.expired_at).toBe(Math.floor(clock.now() / 1000))
    expect((await jsonlOf(expired.output_file_id)).map((l) => l.custom_id)).toEqual(['e1', 'e2'])
    expect((await jsonlOf(expired.error_file_id)).map((l) => l.error.code)).toEqual(['batch_expired', 'batch_expired'])
  })

  it('partial failure and fault scripts per line: failed lines land in the error file with their status', async () => {
    await scenario({ global: { turnaround_s: 0, partial_fail_rate: 0.5, seed: 3 }, models: { 'gpt-4o-mini': { fail_first_n: 0 } } })
    const ids = Array.from({ length: 10 }, (_, i) => `p${i}`)
    const done = await client.batches.retrieve((await createBatch(ids.map((id) => line(id, id)))).id)
    const ok = await jsonlOf(done.output_file_id)
    const failed = await jsonlOf(done.error_file_id)
    expect(ok.length + failed.length).toBe(10)
    expect(failed.length).toBeGreaterThan(0)
    for (const l of failed) expect(l.response).toMatchObject({ status_code: 500, body: { error: { type: 'server_error' } } })
    expect(done.request_counts).toEqual({ total: 10, completed: ok.length, failed: failed.length })
  })

  it('fails validation for an input mixing models, with errors naming the line', async () => {
    await scenario({ global: { turnaround_s: 10 } })
    const batch = await createBatch([line('m1', 'a', 'gpt-4o-mini'), line('m2', 'b', 'gpt-4o')])
    clock.advance(2000)
    const failed = await client.batches.retrieve(batch.id)
    expect(failed.status).toBe('failed')
    expect(failed.errors?.data?.[0]).toMatchObject({ code: 'model_mismatch', line: 2 })
    expect(failed.output_file_id).toBeNull()
  })

  it('lists newest first and pages with after (SDK auto-paging)', async () => {
    const ids: string[] = []
    for (let i = 0; i < 5; i++) ids.push((await createBatch([line(`l${i}`, 'x')])).id)
    const page = await client.batches.list({ limit: 2 })
    expect(page.data.map((b) => b.id)).toEqual(ids.slice(3).reverse())
    expect(page.has_more).toBe(true)
    const all: string[] = []
    for await (const b of client.batches.list({ limit: 2 })) all.push(b.id)
    expect(all).toEqual([...ids].reverse())
  })

  it('answers 404 for an unknown batch and 400 for a missing input file', async () => {
    expect(await failure(client.batches.retrieve('batch_nope'))).toBeInstanceOf(OpenAI.NotFoundError)
    expect(await failure(client.batches.create({ input_file_id: 'file-nope', endpoint: '/v1/chat/completions', completion_window: '24h' }))).toBeInstanceOf(OpenAI.BadRequestError)
  })
})
