/**
 * Provider faults, scripted in the mounted simulator and driven with a fake clock: whatever the
 * fault, every item ends completed or failed with a clear code, failed items cost nothing, the
 * settled charge is exactly the completed items' cost, and no item is sent more than
 * MAX_ATTEMPTS times (counted by the simulator per item id). The items run on the request-style
 * openhost provider, where every attempt is one upstream call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { FakeClock } from '../../src/lib/clock'
import { MAX_ATTEMPTS } from '../../src/features/dispatch/outcomes'
import { startTestApp, type TestApp } from '../helpers/test-app'
import { LLAMA, NOMIC, OPENHOST_ONLY, batchRow, chatItem, chatItems, driveToTerminal, embeddingItem, itemRows, ledgerSums, micros, newKey, pageAllResults, postBatch, reservationOfBatch, resetSim, setSimScenario, simStats } from '../helpers/batch-helpers'

let app: TestApp
const clock = new FakeClock()

beforeAll(async () => {
  // A short adapter timeout so a hanging upstream (timeout_rate) is given up on quickly.
  app = await startTestApp({ clock, scheduler: false, config: { demo: true }, adapters: { openaiCompatible: { timeoutMs: 300 } } })
})
afterAll(() => app.close())

interface FaultRun {
  batchId: string
  results: any[]
  sentPerItem: Record<string, number>
  charged: number
}

/** Creates a batch under `scenario`, drives it to a terminal status and collects what happened. */
async function runUnder(scenario: Record<string, unknown>, items: Record<string, unknown>[], firstRound?: (batchId: string) => void | Promise<void>): Promise<FaultRun> {
  await resetSim(app)
  await setSimScenario(app, scenario)
  const org = app.newOrg('10.00')
  const created = await postBatch(app, org.auth, { items, ...OPENHOST_ONLY }, newKey('fault'))
  expect(created.status).toBe(202)
  const batchId = created.body.id as string
  if (firstRound) {
    await app.runJob('route-batches')
    await app.runJob('dispatch-items')
    await app.settleDispatch()
    await firstRound(batchId)
  }
  const row = await driveToTerminal(app, clock, batchId)
  expect(row.status).toBe('completed')
  const { results } = await pageAllResults(app, org.auth, batchId)
  const stats = await simStats(app)
  return { batchId, results, sentPerItem: stats.by_custom_id, charged: row.chargedMicros ?? -1 }
}

/** The invariants every fault must keep. */
function expectSettledCleanly(run: FaultRun, failureCodes: string[]): void {
  expect(run.results).toHaveLength(itemRows(app, run.batchId).length)
  for (const r of run.results) {
    expect(['completed', 'failed']).toContain(r.status)
    const cost = micros(r.cost.amount)
    if (r.status === 'failed') {
      expect(failureCodes).toContain(r.error.code)
      expect(typeof r.error.message).toBe('string')
      expect(cost).toBe(0)
    } else {
      expect(r.error).toBeNull()
      expect(cost).toBeGreaterThan(0)
    }
    const sent = run.sentPerItem[r.batch_item_id] ?? 0
    expect(sent).toBeLessThanOrEqual(MAX_ATTEMPTS)
    expect(sent).toBe(r.attempts)
  }
  const completedCost = run.results.filter((r) => r.status === 'completed').reduce((a, r) => a + micros(r.cost.amount), 0)
  expect(run.charged).toBe(completedCost)
  const reservation = reservationOfBatch(app, run.batchId)!
  expect(reservation.status).toBe('settled')
  expect(reservation.charged).toBe(completedCost)
  const sums = ledgerSums(app, reservation.id)
  expect(sums.reserve).toBe(reservation.amount)
  expect(sums.reserve).toBe(sums.charge + sums.release)
  expect(sums.charge).toBe(completedCost)
}

describe('dispatch under provider faults (fake clock)', () => {
  it('a 429 storm with Retry-After: retries wait at least retry_after, end completed or rate_limited', async () => {
    const run = await runUnder({ global: { fail_rate: 0.6, fail_status: 429, retry_after_s: 30, seed: 7 } }, chatItems(20, LLAMA), (batchId) => {
      const now = clock.now()
      const waiting = itemRows(app, batchId).filter((i) => i.status === 'queued' && i.errorCode === 'rate_limited')
      expect(waiting.length).toBeGreaterThan(0)
      // The 500 ms exponential backoff alone would be due within a second; Retry-After: 30 wins.
      for (const i of waiting) expect(i.nextAttemptAt!).toBeGreaterThanOrEqual(now + 30_000)
    })
    expectSettledCleanly(run, ['rate_limited'])
  })

  it('429 on every attempt: each item is sent exactly MAX_ATTEMPTS times, fails rate_limited, nothing is charged', async () => {
    const run = await runUnder({ global: { fail_first_n: 100, fail_status: 429, retry_after_s: 0 } }, chatItems(6, LLAMA))
    expectSettledCleanly(run, ['rate_limited'])
    expect(run.results.every((r) => r.status === 'failed' && r.error.code === 'rate_limited' && r.attempts === MAX_ATTEMPTS)).toBe(true)
    expect(run.charged).toBe(0)
    const reservation = reservationOfBatch(app, run.batchId)!
    expect(reservation.released).toBe(reservation.amount)
  })

  it('5xx on the first two attempts: every item completes on its third send', async () => {
    const run = await runUnder({ global: { fail_first_n: 2, fail_status: 500 } }, chatItems(8, LLAMA))
    expectSettledCleanly(run, [])
    expect(run.results.every((r) => r.status === 'completed' && r.attempts === 3)).toBe(true)
    expect(Object.values(run.sentPerItem)).toEqual(Array(8).fill(3))
  })

  it('a 5xx fail_rate: items end completed or provider_error', async () => {
    const run = await runUnder({ global: { fail_rate: 0.5, fail_status: 503, retry_after_s: 0, seed: 3 } }, chatItems(20, LLAMA))
    expectSettledCleanly(run, ['provider_error'])
  })

  it('one model failing every time, another healthy: the charge is the healthy model\'s cost only', async () => {
    // Embeddings fail, chat is healthy: a short embedding item costs under ½ µ$, i.e. 0 under the
    // rounding rule (README "Money and rounding"), so the healthy side is the chat model, whose cost shows.
    const items = [...chatItems(4, LLAMA, 'chat'), ...['a', 'b', 'c', 'd'].map((x) => embeddingItem(`embed-${x}`, NOMIC))]
    const run = await runUnder({ models: { [NOMIC]: { fail_rate: 1, fail_status: 500 } } }, items)
    expectSettledCleanly(run, ['provider_error'])
    const failing = run.results.filter((r) => r.model === NOMIC)
    const healthy = run.results.filter((r) => r.model === LLAMA)
    expect(failing.every((r) => r.status === 'failed' && r.attempts === MAX_ATTEMPTS)).toBe(true)
    expect(healthy.every((r) => r.status === 'completed' && r.attempts === 1)).toBe(true)
    expect(run.charged).toBeGreaterThan(0)
    expect(batchRow(app, run.batchId)!.errorFileId).toMatch(/^file_/)
  })

  it('malformed 200 answers are retried and end completed or provider_error', async () => {
    const run = await runUnder({ global: { malformed_rate: 0.5, seed: 11 } }, chatItems(20, LLAMA))
    expectSettledCleanly(run, ['provider_error'])
  })

  it('malformed answers every time: each item fails provider_error after MAX_ATTEMPTS sends', async () => {
    const run = await runUnder({ global: { malformed_rate: 1 } }, chatItems(3, LLAMA))
    expectSettledCleanly(run, ['provider_error'])
    expect(run.results.every((r) => r.status === 'failed' && r.attempts === MAX_ATTEMPTS)).toBe(true)
  })

  it('a provider timeout (HTTP 408) is retried and ends request_timeout', async () => {
    const run = await runUnder({ global: { fail_rate: 1, fail_status: 408 } }, chatItems(3, LLAMA))
    expectSettledCleanly(run, ['request_timeout'])
    expect(run.results.every((r) => r.status === 'failed' && r.error.code === 'request_timeout' && r.attempts === MAX_ATTEMPTS)).toBe(true)
  })

  it('a 4xx rejection is final at once: invalid_request after one send', async () => {
    const run = await runUnder({ global: { fail_rate: 1, fail_status: 400 } }, [chatItem('only', LLAMA)])
    expectSettledCleanly(run, ['invalid_request'])
    expect(run.results[0]).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'invalid_request' } })
  })

  it('a hanging provider (timeout_rate) is given up on after the adapter timeout, retried, and ends request_timeout', async () => {
    const run = await runUnder({ global: { timeout_rate: 1 } }, chatItems(3, LLAMA))
    expectSettledCleanly(run, ['request_timeout'])
    expect(run.results.every((r) => r.status === 'failed' && r.error.code === 'request_timeout' && r.attempts === MAX_ATTEMPTS)).toBe(true)
  })
})
