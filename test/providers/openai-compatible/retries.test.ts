import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { createOpenAiCompatibleAdapter, withRetries } from '../../../src/providers/openai-compatible'
import { providerError } from '../../../src/providers/http-errors'
import type { ItemOutcome } from '../../../src/providers/types'
import { startSimulatorServer, type SimulatorServer } from '../../../src/sim/server'
import { chatRequest, setScenario } from '../request-adapter-contract'

let sim: SimulatorServer
beforeAll(() => {
  sim = startSimulatorServer({ host: '127.0.0.1', port: 0 })
})
afterAll(() => sim.stop())

const ok: ItemOutcome = { ok: true, itemId: 'i', output: {}, usage: { inputTokens: 1, outputTokens: 1, cachedTokens: 0 } }
const failWith = (kind: Parameters<typeof providerError>[0], retryAfterMs?: number): ItemOutcome => ({ ok: false, itemId: 'i', error: providerError(kind, 'x', { retryAfterMs }) })

/** Plays `outcomes` in order, recording the sleeps withRetries asks for. */
function script(outcomes: ItemOutcome[]) {
  const sleeps: number[] = []
  let calls = 0
  return { sleeps, calls: () => calls, fn: async () => outcomes[Math.min(calls++, outcomes.length - 1)]!, sleep: async (ms: number) => void sleeps.push(ms) }
}

describe('withRetries', () => {
  const base = { maxAttempts: 5, baseMs: 100, maxMs: 10_000, random: () => 1 }

  it('recovers from fail_first_n=2 on the simulator with the third attempt', async () => {
    await setScenario(sim.url, { global: { fail_first_n: 2, fail_status: 503 } })
    const adapter = createOpenAiCompatibleAdapter({ timeoutMs: 5000 })
    const req = chatRequest('retry me')
    const sleeps: number[] = []
    const outcome = await withRetries(() => adapter.call({ providerId: 'sim', baseUrl: `${sim.url}/v1` }, req), { ...base, sleep: async (ms) => void sleeps.push(ms) })
    expect(outcome.ok).toBe(true)
    expect(sleeps).toEqual([100, 200])
    const stats = (await (await fetch(`${sim.url}/_sim/stats`)).json()) as any
    expect(stats.by_custom_id[req.itemId]).toBe(3)
    expect(stats.by_status).toMatchObject({ '200': 1, '503': 2 })
    await fetch(`${sim.url}/_sim/reset`, { method: 'POST' })
  })

  it('gives up after maxAttempts and returns the last error', async () => {
    await setScenario(sim.url, { global: { fail_first_n: 10 } })
    const adapter = createOpenAiCompatibleAdapter({ timeoutMs: 5000 })
    const req = chatRequest('never works')
    const outcome = await withRetries(() => adapter.call({ providerId: 'sim', baseUrl: `${sim.url}/v1` }, req), { ...base, maxAttempts: 3, sleep: async () => {} })
    expect(!outcome.ok && outcome.error.kind).toBe('server_error')
    const stats = (await (await fetch(`${sim.url}/_sim/stats`)).json()) as any
    expect(stats.by_custom_id[req.itemId]).toBe(3)
    await fetch(`${sim.url}/_sim/reset`, { method: 'POST' })
  })

  it('does not retry a non-retryable error', async () => {
    const s = script([failWith('invalid_request'), ok])
    const outcome = await withRetries(s.fn, { ...base, sleep: s.sleep })
    expect(!outcome.ok && outcome.error.kind).toBe('invalid_request')
    expect(s.calls()).toBe(1)
  })

  it('waits retryAfterMs instead of the backoff when the provider names one', async () => {
    const s = script([failWith('rate_limited', 1500), ok])
    expect((await withRetries(s.fn, { ...base, sleep: s.sleep })).ok).toBe(true)
    expect(s.sleeps).toEqual([1500])
  })

  it('returns at once when the provider asks for a longer wait than maxWaitMs', async () => {
    const s = script([failWith('rate_limited', 60_000), ok])
    const outcome = await withRetries(s.fn, { ...base, maxWaitMs: 30_000, sleep: s.sleep })
    expect(!outcome.ok && outcome.error.retryAfterMs).toBe(60_000)
    expect(s.sleeps).toEqual([])
  })

  it('backs off exponentially with jitter, capped at maxMs', async () => {
    const s = script([failWith('server_error')])
    await withRetries(s.fn, { maxAttempts: 6, baseMs: 100, maxMs: 1000, random: () => 0, sleep: s.sleep })
    expect(s.sleeps).toEqual([50, 100, 200, 400, 500])
  })

  it('stops retrying once its signal aborts', async () => {
    const controller = new AbortController()
    const s = script([failWith('network')])
    await withRetries(s.fn, { ...base, signal: controller.signal, sleep: async () => controller.abort() })
    expect(s.calls()).toBe(1)
  })
})
