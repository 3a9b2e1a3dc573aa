import { afterAll, afterEach, beforeAll, describe, expect, it } from 'bun:test'
import { startSimulatorServer, type SimulatorServer } from '../../src/sim/server'

let sim: SimulatorServer
beforeAll(() => {
  sim = startSimulatorServer({ host: '127.0.0.1', port: 0 })
})
afterAll(() => sim.stop())
afterEach(() => fetch(`${sim.url}/_sim/reset`, { method: 'POST' }))

const scenario = (body: unknown) => fetch(`${sim.url}/_sim/scenario`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
const stats = async () => (await (await fetch(`${sim.url}/_sim/stats`)).json()) as any
function chat(opts: { model?: string; itemId?: string; signal?: AbortSignal } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (opts.itemId) headers['x-batchrouter-item-id'] = opts.itemId
  return fetch(`${sim.url}/v1/chat/completions`, { method: 'POST', headers, signal: opts.signal, body: JSON.stringify({ model: opts.model ?? 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }) })
}

describe('PUT /_sim/scenario', () => {
  it('stores the scenario, batch-dialect fields included, and reads it back', async () => {
    const body = { global: { latency_ms: 0, turnaround_s: 30, expire: false, partial_fail_rate: 0.1 }, models: { 'gpt-4o': { fail_rate: 0.5, seed: 3 } } }
    const put = await scenario(body)
    expect(put.status).toBe(200)
    expect(await put.json()).toEqual({ scenario: body })
    expect(await (await fetch(`${sim.url}/_sim/scenario`)).json()).toEqual({ scenario: body })
  })

  it.each([
    ['an unknown field', { global: { fail_rte: 0.5 } }, 'global.fail_rte'],
    ['a rate above 1', { global: { fail_rate: 2 } }, 'global.fail_rate'],
    ['a non-error fail_status', { models: { m: { fail_status: 200 } } }, 'models.m.fail_status'],
  ])('answers 400 for %s', async (_name, body, param) => {
    const res = await scenario(body)
    expect(res.status).toBe(400)
    expect(((await res.json()) as any).error).toMatchObject({ type: 'invalid_request_error', param })
  })
})

describe('GET /_sim/stats and POST /_sim/reset', () => {
  it('counts wire requests by path, model, item id and status, then resets', async () => {
    await chat({ itemId: 'item_a' })
    await chat({ itemId: 'item_a', model: 'gpt-4o' })
    await chat()
    await fetch(`${sim.url}/v1/embeddings`, { method: 'POST', body: JSON.stringify({ model: 'nomic-embed-text' }) })
    expect(await stats()).toEqual({
      total: 4,
      by_path: { '/v1/chat/completions': 3, '/v1/embeddings': 1 },
      by_model: { 'gpt-4o-mini': 2, 'gpt-4o': 1, 'nomic-embed-text': 1 },
      by_custom_id: { item_a: 2 },
      by_status: { '200': 3, '400': 1 },
      in_flight: 0,
      max_in_flight: 1,
    })
    await scenario({ global: { fail_rate: 1 } })
    const reset = await fetch(`${sim.url}/_sim/reset`, { method: 'POST' })
    expect(reset.status).toBe(200)
    expect((await stats()).total).toBe(0)
    expect(await (await fetch(`${sim.url}/_sim/scenario`)).json()).toEqual({ scenario: {} })
    expect((await chat()).status).toBe(200)
  })
})

describe('scripted faults', () => {
  it('fails the first N requests of each item id', async () => {
    await scenario({ global: { fail_first_n: 2, fail_status: 503 } })
    const a = [await chat({ itemId: 'a' }), await chat({ itemId: 'b' }), await chat({ itemId: 'a' }), await chat({ itemId: 'a' }), await chat({ itemId: 'b' })]
    expect(a.map((r) => r.status)).toEqual([503, 503, 503, 200, 503])
    expect((await stats()).by_custom_id).toEqual({ a: 3, b: 2 })
  })

  it('restarts fail_first_n counting when a scenario is set', async () => {
    await scenario({ global: { fail_first_n: 1 } })
    expect((await chat({ itemId: 'a' })).status).toBe(500)
    expect((await chat({ itemId: 'a' })).status).toBe(200)
    await scenario({ global: { fail_first_n: 1 } })
    expect((await chat({ itemId: 'a' })).status).toBe(500)
  })

  it('reproduces the same failures for the same seed', async () => {
    const run = async (seed: number) => {
      await fetch(`${sim.url}/_sim/reset`, { method: 'POST' })
      await scenario({ global: { fail_rate: 0.5, seed } })
      const statuses: number[] = []
      for (let i = 0; i < 30; i++) statuses.push((await chat({ itemId: `item_${i}` })).status)
      return statuses
    }
    const first = await run(11)
    expect(first).toContain(500)
    expect(first).toContain(200)
    expect(await run(11)).toEqual(first)
    expect(await run(12)).not.toEqual(first)
  })

  it('sends 429 with Retry-After', async () => {
    await scenario({ global: { fail_rate: 1, fail_status: 429, retry_after_s: 3 } })
    const res = await chat()
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('3')
    expect(((await res.json()) as any).error).toEqual({ message: 'Rate limit reached for requests (simulated).', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' })
  })

  it('applies per-model behaviour over the global one', async () => {
    await scenario({ global: { fail_rate: 1 }, models: { 'gpt-4o': { fail_rate: 0 } } })
    expect((await chat({ model: 'gpt-4o' })).status).toBe(200)
    expect((await chat({ model: 'gpt-4o-mini' })).status).toBe(500)
  })

  it('delays answers by latency_ms', async () => {
    await scenario({ global: { latency_ms: 120 } })
    const started = performance.now()
    expect((await chat()).status).toBe(200)
    expect(performance.now() - started).toBeGreaterThanOrEqual(100)
  })

  it('answers 200 with bodies that are not the wire shape for malformed_rate', async () => {
    await scenario({ global: { malformed_rate: 1 } })
    const bodies = await Promise.all(Array.from({ length: 8 }, async (_, i) => (await chat({ itemId: `m${i}` })).text()))
    for (const text of bodies) {
      let parsed: any
      try {
        parsed = JSON.parse(text)
      } catch {
        parsed = undefined
      }
      expect(parsed?.choices === undefined || !Array.isArray(parsed.choices)).toBe(true)
    }
  })

  it('holds timeout_rate requests open until the client gives up', async () => {
    await scenario({ global: { timeout_rate: 1 } })
    const error = await chat({ signal: AbortSignal.timeout(150) }).catch((e: Error) => e)
    expect((error as Error).name).toBe('TimeoutError')
    await Bun.sleep(20)
    expect((await stats()).by_status).toEqual({ timeout: 1 })
  })

  it('releases hanging requests on reset', async () => {
    await scenario({ global: { timeout_rate: 1 } })
    const pending = chat()
    await Bun.sleep(30)
    await fetch(`${sim.url}/_sim/reset`, { method: 'POST' })
    expect((await pending).status).toBe(504)
    expect(await stats()).toMatchObject({ total: 0, by_status: {}, in_flight: 0 })
  })
})
