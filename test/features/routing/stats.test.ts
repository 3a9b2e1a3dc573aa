/**
 * Observed statistics: the pure summary of lane outcomes (p90 turnaround, failure and expiry
 * rates, the sla_aware risk factor) and the stored rolling record — finished lanes folded into
 * lane_outcomes by route-batches, read back per offering, and fed into quotes' turnaround.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { eq } from 'drizzle-orm'
import { FakeClock } from '../../../src/lib/clock'
import { expectedTurnaroundSeconds, riskFactor, summarizeOutcomes, MIN_OBSERVED_LANES, type LaneOutcome } from '../../../src/features/routing/observed'
import { loadObservedStats, recordLaneOutcomeInTx, STATS_WINDOW_LANES, STATS_WINDOW_MS } from '../../../src/features/routing/stats'
import { laneOutcomesTable } from '../../../src/features/routing/table'
import { writeTx } from '../../../src/db/tx'
import { startTestApp, type TestApp } from '../../helpers/test-app'
import { batchRow, chatItems, newKey, postBatch, postQuote } from '../../helpers/batch-helpers'
import { RETAIN, state } from './world'

describe('summarizeOutcomes', () => {
  it('takes the nearest-rank p90 of turnarounds and item-level failure and expiry rates', () => {
    const outcomes: LaneOutcome[] = Array.from({ length: 10 }, (_, i) => ({ turnaroundMs: (i + 1) * 60_000, completed: 9, failed: 1, expired: 0 }))
    outcomes.push({ turnaroundMs: null, completed: 0, failed: 0, expired: 10 })
    expect(summarizeOutcomes(outcomes)).toEqual({ lanes: 11, turnaroundSeconds: 540, failureRate: 10 / 110, expiryRate: 10 / 110 })
    expect(summarizeOutcomes([])).toEqual({ lanes: 0, turnaroundSeconds: null, failureRate: 0, expiryRate: 0 })
  })

  it(`uses observed turnaround from ${MIN_OBSERVED_LANES} lanes on, and multiplies risk by 1 + failure + expiry`, () => {
    const seen = (lanes: number) => state(RETAIN, { observed: { lanes, turnaroundSeconds: 90, failureRate: 0.1, expiryRate: 0.05 } })
    expect(expectedTurnaroundSeconds(seen(MIN_OBSERVED_LANES - 1))).toBe(RETAIN.turnaround_seconds)
    expect(expectedTurnaroundSeconds(seen(MIN_OBSERVED_LANES))).toBe(90)
    expect(riskFactor(seen(1))).toBeCloseTo(1.15)
    expect(riskFactor(state(RETAIN))).toBe(1)
  })
})

describe('lane_outcomes (rolling record)', () => {
  const clock = new FakeClock(Date.parse('2026-05-01T00:00:00.000Z'))
  let app: TestApp
  beforeAll(async () => {
    app = await startTestApp({ clock, scheduler: false, config: { demo: true } })
  })
  afterAll(() => app.close())

  it('keeps the last 50 lanes of the last 7 days per offering', () => {
    const now = clock.now()
    writeTx(app.deps.db, () => {
      for (let i = 0; i < 60; i++) recordLaneOutcomeInTx(app.deps, { laneId: `lane_w${i}`, offeringId: 'window-test', batchId: 'bat_x', status: 'completed', startedAt: now - i * 1000 - 500, finishedAt: now - i * 1000, turnaroundMs: i < STATS_WINDOW_LANES ? 2000 : 999_000, completed: 1, failed: 0, expired: 0 })
      recordLaneOutcomeInTx(app.deps, { laneId: 'lane_old', offeringId: 'old-test', batchId: 'bat_x', status: 'failed', startedAt: 0, finishedAt: now - STATS_WINDOW_MS - 1, turnaroundMs: 1000, completed: 0, failed: 5, expired: 0 })
      recordLaneOutcomeInTx(app.deps, { laneId: 'lane_w0', offeringId: 'window-test', batchId: 'bat_x', status: 'failed', startedAt: 0, finishedAt: now, turnaroundMs: 1, completed: 0, failed: 9, expired: 0 }) // already recorded: ignored
    })
    const stats = loadObservedStats(app.deps, now)
    expect(stats.get('window-test')).toEqual({ lanes: STATS_WINDOW_LANES, turnaroundSeconds: 2, failureRate: 0, expiryRate: 0 })
    expect(stats.has('old-test')).toBe(false)
  })

  it('records finished lanes once (route-batches harvests them) and feeds the quote turnaround after 3 lanes', async () => {
    const org = app.newOrg('5.00')
    const body = { items: chatItems(3, 'llama-3.1-8b-instruct'), routing_mode: 'public_only' }
    const before = await postQuote(app, org.auth, body)
    const lane = () => before.body.quote_lanes.find((l: any) => l.offering_id === 'openhost-llama-3.1-8b-instruct')
    expect(lane().estimated_completion_seconds).toBe(1800)
    for (let i = 0; i < 3; i++) {
      const created = await postBatch(app, org.auth, body, newKey('stats'))
      expect(created.status).toBe(202)
      await app.runJob('route-batches')
      clock.advance(120_000 + i * 60_000) // turnarounds of 120 s, 180 s, 240 s
      await app.runJob('dispatch-items')
      await app.settleDispatch()
      await app.runJob('finalize-batches')
      expect(batchRow(app, created.body.id)!.status).toBe('completed')
    }
    await app.runJob('route-batches')
    await app.runJob('route-batches') // a second pass records nothing twice
    const rows = app.deps.db.select().from(laneOutcomesTable).where(eq(laneOutcomesTable.offeringId, 'openhost-llama-3.1-8b-instruct')).all()
    expect(rows.map((r) => [r.status, r.turnaroundMs, r.completed, r.failed, r.expired])).toEqual([
      ['completed', 120_000, 3, 0, 0],
      ['completed', 180_000, 3, 0, 0],
      ['completed', 240_000, 3, 0, 0],
    ])
    const after = await postQuote(app, org.auth, body)
    const observed = after.body.quote_lanes.find((l: any) => l.offering_id === 'openhost-llama-3.1-8b-instruct')
    expect(observed.estimated_completion_seconds).toBe(240)
  })
})
