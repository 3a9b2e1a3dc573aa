/**
 * The simulator's Anthropic Message Batches dialect, driven by the official `@anthropic-ai/sdk`
 * (if the SDK cannot use it, the simulator is wrong): create, retrieve (counts stay 0 until the
 * batch ends), list with paging, cancel, results through `results_url`, expiry, errored
 * requests, delete, and the anthropic-version header the API requires.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'bun:test'
import Anthropic from '@anthropic-ai/sdk'
import { FakeClock } from '../../src/lib/clock'
import { startSimulatorServer, type SimulatorServer } from '../../src/sim/server'

const MODEL = 'claude-haiku-4-5-20251001'
const clock = new FakeClock(Date.parse('2026-03-01T00:00:00Z'))
let sim: SimulatorServer
let client: Anthropic

beforeAll(() => {
  sim = startSimulatorServer({ host: '127.0.0.1', port: 0, now: () => clock.now() })
  client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: sim.url, maxRetries: 0 })
})
afterAll(() => sim.stop())
beforeEach(async () => {
  await fetch(`${sim.url}/_sim/reset`, { method: 'POST' })
})

const scenario = (body: unknown) => fetch(`${sim.url}/_sim/scenario`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
const request = (id: string, text: string, extra: Record<string, unknown> = {}) => ({ custom_id: id, params: { model: MODEL, max_tokens: 64, messages: [{ role: 'user' as const, content: text }], ...extra } })

async function resultsOf(id: string) {
  const out: any[] = []
  for await (const r of await client.messages.batches.results(id)) out.push(r)
  return out.sort((a, b) => a.custom_id.localeCompare(b.custom_id))
}

async function failure(call: PromiseLike<unknown>): Promise<unknown> {
  try {
    await call
  } catch (err) {
    return err
  }
  throw new Error('expected the call to fail')
}

describe('Message Batches (official SDK)', () => {
  it('runs to ended over simulated time; counts stay 0 until then; results hold a Message per request', async () => {
    await scenario({ global: { turnaround_s: 60 } })
    const batch = await client.messages.batches.create({ requests: [request('a', 'First'), request('b', 'Second', { system: 'Be brief.' })] })
    expect(batch).toMatchObject({ type: 'message_batch', processing_status: 'in_progress', request_counts: { processing: 2, succeeded: 0, errored: 0, canceled: 0, expired: 0 }, results_url: null, ended_at: null })
    expect(batch.id).toMatch(/^msgbatch_/)
    expect(new Date(batch.created_at).getTime()).toBe(clock.now())
    clock.advance(30_000)
    expect((await client.messages.batches.retrieve(batch.id)).request_counts).toMatchObject({ processing: 2, succeeded: 0 })
    clock.advance(30_000)
    const ended = await client.messages.batches.retrieve(batch.id)
    expect(ended).toMatchObject({ processing_status: 'ended', request_counts: { processing: 0, succeeded: 2, errored: 0, canceled: 0, expired: 0 } })
    expect(ended.results_url).toBe(`${sim.url}/v1/messages/batches/${batch.id}/results`)
    const results = await resultsOf(batch.id)
    expect(results.map((r) => [r.custom_id, r.result.type])).toEqual([['a', 'succeeded'], ['b', 'succeeded']])
    expect(results[0].result.message).toMatchObject({ type: 'message', role: 'assistant', model: MODEL, content: [{ type: 'text', text: 'Simulated reply to: First' }], stop_reason: 'end_turn', usage: { service_tier: 'batch' } })
    expect(results[0].result.message.usage.input_tokens).toBeGreaterThan(0)
  })

  it('cancel: canceling, then ended with the unfinished requests canceled', async () => {
    await scenario({ global: { turnaround_s: 10 } })
    const batch = await client.messages.batches.create({ requests: [request('c1', 'a'), request('c2', 'b'), request('c3', 'c')] })
    clock.advance(4000)
    const canceling = await client.messages.batches.cancel(batch.id)
    expect(canceling.processing_status).toBe('canceling')
    expect(canceling.cancel_initiated_at).not.toBeNull()
    const ended = await client.messages.batches.retrieve(batch.id)
    expect(ended).toMatchObject({ processing_status: 'ended', request_counts: { succeeded: 1, canceled: 2 } })
    expect((await resultsOf(batch.id)).map((r) => r.result.type)).toEqual(['succeeded', 'canceled', 'canceled'])
  })

  it('expiry (scenario expire): the unfinished requests come back expired', async () => {
    await scenario({ models: { [MODEL]: { turnaround_s: 10, expire: true } } })
    const batch = await client.messages.batches.create({ requests: [request('e1', 'a'), request('e2', 'b')] })
    clock.advance(10_000)
    expect((await client.messages.batches.retrieve(batch.id)).request_counts).toMatchObject({ succeeded: 1, expired: 1 })
    expect((await resultsOf(batch.id)).map((r) => r.result.type)).toEqual(['succeeded', 'expired'])
  })

  it('an invalid request and a scripted failure come back errored; the others succeed', async () => {
    await scenario({ global: { turnaround_s: 0 }, models: { [MODEL]: { fail_first_n: 1, fail_status: 529 } } })
    const bad = { custom_id: 'bad', params: { model: MODEL, max_tokens: 0, messages: [{ role: 'user' as const, content: 'x' }] } }
    // The create call is this model's first request without an item id: it fails as scripted (529 overloaded).
    const refused = await failure(client.messages.batches.create({ requests: [request('ok', 'fine'), bad] }))
    expect(refused).toMatchObject({ status: 529, error: { type: 'error', error: { type: 'overloaded_error' } } })
    const batch = await client.messages.batches.create({ requests: [request('ok', 'fine'), bad] })
    const results = await resultsOf(batch.id)
    // fail_first_n also applies per custom id: each request's first run fails.
    expect(results.map((r) => [r.custom_id, r.result.type, r.result.error?.error?.type])).toEqual([
      ['bad', 'errored', 'overloaded_error'],
      ['ok', 'errored', 'overloaded_error'],
    ])
    await scenario({ global: { turnaround_s: 0 } })
    const again = await client.messages.batches.create({ requests: [request('ok2', 'fine'), { ...bad, custom_id: 'bad2' }] })
    expect((await resultsOf(again.id)).map((r) => [r.custom_id, r.result.type, r.result.error?.error?.type])).toEqual([
      ['bad2', 'errored', 'invalid_request_error'],
      ['ok2', 'succeeded', undefined],
    ])
  })

  it('lists newest first with after_id paging (SDK auto-paging), and deletes ended batches only', async () => {
    await scenario({ global: { turnaround_s: 0 } })
    const ids: string[] = []
    for (let i = 0; i < 5; i++) ids.push((await client.messages.batches.create({ requests: [request(`l${i}`, 'x')] })).id)
    const page = await client.messages.batches.list({ limit: 2 })
    expect(page.data.map((b) => b.id)).toEqual(ids.slice(3).reverse())
    const all: string[] = []
    for await (const b of client.messages.batches.list({ limit: 2 })) all.push(b.id)
    expect(all).toEqual([...ids].reverse())
    expect(await client.messages.batches.delete(ids[0]!)).toMatchObject({ id: ids[0]!, type: 'message_batch_deleted' })
    expect(await failure(client.messages.batches.retrieve(ids[0]!))).toBeInstanceOf(Anthropic.NotFoundError)
  })

  it('refuses bad custom ids, too many requests, and calls without anthropic-version', async () => {
    expect(await failure(client.messages.batches.create({ requests: [request('has space', 'x')] }))).toBeInstanceOf(Anthropic.BadRequestError)
    const res = await fetch(`${sim.url}/v1/messages/batches`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'k' }, body: JSON.stringify({ requests: [request('a', 'x')] }) })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } })
  })
})
