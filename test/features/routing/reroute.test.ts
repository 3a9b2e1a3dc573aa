/**
 * Failover and provider health, with the scheduler off and a fake clock driving both the jobs and
 * the mounted simulator: a lane whose OpenAI provider batch expires, fails or stalls finishes on
 * its fallback (a synchronous OpenAI-compatible host) inside the same batch, no item runs twice,
 * and the receipt shows each re-route with its cause; the per-provider circuit opens after
 * repeated failures, half-opens after the cool-down to let one probe lane through, and closes.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'bun:test'
import { eq } from 'drizzle-orm'
import { FakeClock } from '../../../src/lib/clock'
import { lanesTable, providerJobsTable } from '../../../src/features/dispatch/table'
import { CIRCUIT_COOLDOWN_MS, evaluateCircuit, liveOfferingStates, providerCircuits, type CircuitState } from '../../../src/features/routing/index'
import { isTerminal } from '../../../src/features/batches/state'
import { startTestApp, type TestApp } from '../../helpers/test-app'
import { batchRow, chatItems, getJson, itemRows, newKey, pageAllResults, postBatch, postQuote, resetSim, setSimScenario, simStats } from '../../helpers/batch-helpers'

const HOUR = 3600_000
const OPENAI = 'openai-batch-gpt-4o-mini'
const HOST = 'openhost-gpt-4o-mini'
/** A pricier synchronous host for gpt-4o-mini: the fallback of every OpenAI batch lane. */
const HOST_OFFERING = {
  offering_id: HOST, model: 'gpt-4o-mini', provider: 'openhost', upstream_model: 'gpt-4o-mini-hosted', lane_kind: 'public', input_per_1m: '0.15', output_per_1m: '0.60',
  max_batch_items: 1000, concurrency: 8, regions: ['us'], retention: { zdr: false, days: 30 }, privacy_tiers: ['standard'], hosted_tools: [], supports_tools: true, turnaround_seconds: 600,
}

let app: TestApp
const clock = new FakeClock()

beforeAll(async () => {
  app = await startTestApp({ clock, scheduler: false, config: { demo: true, catalog: { offerings: [HOST_OFFERING] } } })
})
afterAll(() => app.close())
beforeEach(async () => {
  await resetSim(app)
  // Each test starts with an empty provider history (a closed circuit).
  app.deps.db.delete(providerJobsTable).run()
})

async function createBatch(auth: Record<string, string>, n: number, tag: string): Promise<string> {
  const res = await postBatch(app, auth, { items: chatItems(n, 'gpt-4o-mini', tag) }, newKey(tag))
  expect(res.status).toBe(202)
  return res.body.id
}

/** One round: route, dispatch (submit + first poll), collect, dispatch again (re-routed items), finalize. */
async function round(stepMs: number): Promise<void> {
  await app.runJob('route-batches')
  await app.runJob('dispatch-items')
  await app.settleDispatch()
  clock.advance(stepMs)
  await app.runJob('collect-results')
  await app.runJob('dispatch-items')
  await app.settleDispatch()
  await app.runJob('finalize-batches')
}

async function driveToTerminal(batchId: string, stepMs: number, maxRounds = 20) {
  for (let i = 0; i < maxRounds; i++) {
    await round(stepMs)
    const row = batchRow(app, batchId)!
    if (isTerminal(row.status)) return row
  }
  throw new Error(`batch ${batchId} still ${batchRow(app, batchId)?.status}`)
}

function jobsOf(batchId: string) {
  return app.deps.db.select().from(providerJobsTable).where(eq(providerJobsTable.batchId, batchId)).all()
}

/** Every item completed, each run exactly once upstream; returns the results. */
async function expectCompletedOnce(auth: Record<string, string>, batchId: string, n: number) {
  const { results } = await pageAllResults(app, auth, batchId)
  expect(results).toHaveLength(n)
  expect(results.filter((r) => r.status !== 'completed')).toEqual([])
  const stats = await simStats(app)
  for (const r of results) expect([r.customer_item_id, stats.by_custom_id[r.batch_item_id]]).toEqual([r.customer_item_id, 1])
  return results
}

describe('failover of a provider batch', () => {
  it('an expired OpenAI batch: the finished half is kept, the rest finishes on the fallback host, nothing runs twice, the receipt shows the re-route', async () => {
    const org = app.newOrg('5.00')
    await setSimScenario(app, { models: { 'gpt-4o-mini': { turnaround_s: 600, expire: true } } })
    const batchId = await createBatch(org.auth, 6, 'exp')
    expect(batchRow(app, batchId)!.status).toBe('pending')

    await app.runJob('route-batches')
    await app.runJob('dispatch-items')
    await app.settleDispatch()
    expect(jobsOf(batchId).map((j) => [j.status, j.offeringId])).toEqual([['running', OPENAI]])
    expect(itemRows(app, batchId).every((i) => i.status === 'running' && i.providerJobId === jobsOf(batchId)[0]!.id)).toBe(true)

    clock.advance(600_000)
    const failedOverAt = clock.now()
    await app.runJob('collect-results')
    const [job] = jobsOf(batchId)
    expect([job!.status, job!.cause]).toEqual(['expired', 'provider_expired'])
    const mid = itemRows(app, batchId)
    expect(mid.map((i) => i.status)).toEqual(['completed', 'completed', 'completed', 'queued', 'queued', 'queued'])
    expect(mid.slice(3).every((i) => i.offeringId === HOST && i.providerJobId === null)).toBe(true)

    const row = await driveToTerminal(batchId, 1000)
    expect(row.status).toBe('completed')
    const results = await expectCompletedOnce(org.auth, batchId, 6)
    expect(results.map((r) => r.offering_id)).toEqual([OPENAI, OPENAI, OPENAI, HOST, HOST, HOST])
    expect(results.map((r) => r.attempts)).toEqual([1, 1, 1, 2, 2, 2])

    const receipt = (await getJson(app, org.auth, `/v1/batches/${batchId}/receipt`)).body
    expect(receipt.reroutes).toHaveLength(1)
    expect(receipt.reroutes[0]).toMatchObject({ cause: 'provider_expired', model: 'gpt-4o-mini', from_offering_id: OPENAI, to_offering_id: HOST, item_count: 3, at: new Date(failedOverAt).toISOString() })
    expect(receipt.decisions.some((d: any) => d.kind === 'reroute' && d.cause === 'provider_expired')).toBe(true)
    const lanes = (await getJson(app, org.auth, `/v1/batches/${batchId}`)).body.batch.lanes as any[]
    expect(lanes.map((l) => [l.offering_id, l.item_count, l.completed])).toEqual([[OPENAI, 3, 3], [HOST, 3, 3]])
  })

  it('a provider batch the provider refuses (HTTP 400 on create) fails over at once with cause provider_failed', async () => {
    const org = app.newOrg('5.00')
    await setSimScenario(app, { models: { 'gpt-4o-mini': { fail_rate: 1, fail_status: 400 } } })
    const batchId = await createBatch(org.auth, 3, 'refused')
    const row = await driveToTerminal(batchId, 1000)
    expect(row.status).toBe('completed')
    const results = await expectCompletedOnce(org.auth, batchId, 3)
    expect(results.every((r) => r.offering_id === HOST)).toBe(true)
    expect(jobsOf(batchId).map((j) => [j.status, j.cause])).toEqual([['failed', 'provider_failed']])
    const receipt = (await getJson(app, org.auth, `/v1/batches/${batchId}/receipt`)).body
    expect(receipt.reroutes.map((r: any) => [r.cause, r.to_offering_id, r.item_count])).toEqual([['provider_failed', HOST, 3]])
  })

  it('a stalled provider batch (no progress within the offering turnaround) is cancelled and its items fail over as lane_stalled', async () => {
    const org = app.newOrg('5.00')
    await setSimScenario(app, { models: { 'gpt-4o-mini': { turnaround_s: 30 * 24 * 3600 } } })
    const batchId = await createBatch(org.auth, 2, 'stall')
    await app.runJob('route-batches')
    await app.runJob('dispatch-items')
    await app.settleDispatch()
    clock.advance(HOUR)
    await app.runJob('collect-results')
    expect(jobsOf(batchId)[0]!.status).toBe('running')
    clock.advance(6 * HOUR) // the catalog's expected turnaround for OpenAI batch lanes
    await app.runJob('collect-results')
    expect(jobsOf(batchId)[0]!).toMatchObject({ status: 'running', cause: 'lane_stalled' })
    expect(jobsOf(batchId)[0]!.cancelRequestedAt).not.toBeNull()
    const row = await driveToTerminal(batchId, 2000)
    expect(row.status).toBe('completed')
    await expectCompletedOnce(org.auth, batchId, 2)
    expect(jobsOf(batchId).map((j) => [j.status, j.cause])).toEqual([['cancelled', 'lane_stalled']])
    const receipt = (await getJson(app, org.auth, `/v1/batches/${batchId}/receipt`)).body
    expect(receipt.reroutes.map((r: any) => r.cause)).toEqual(['lane_stalled'])
  })

  it('with no fallback that fits the SLA, unfinished items fail with provider_error and the receipt says why', async () => {
    const org = app.newOrg('5.00')
    await setSimScenario(app, { models: { 'gpt-4o-mini': { turnaround_s: 600, expire: true } } })
    const batchId = await createBatch(org.auth, 2, 'nofb')
    await app.runJob('route-batches')
    await app.runJob('dispatch-items')
    await app.settleDispatch()
    // The batch's deadline is 24 h away: jump to 5 minutes before it, past the host's 10-minute turnaround.
    clock.set(batchRow(app, batchId)!.slaDeadline - 5 * 60_000)
    await app.runJob('collect-results')
    await app.runJob('finalize-batches')
    expect(batchRow(app, batchId)!.status).toBe('completed')
    expect(itemRows(app, batchId).map((i) => [i.status, i.errorCode])).toEqual([['completed', null], ['failed', 'provider_error']])
    const receipt = (await getJson(app, org.auth, `/v1/batches/${batchId}/receipt`)).body
    expect(receipt.reroutes).toMatchObject([{ cause: 'provider_expired', to_offering_id: null, item_count: 1 }])
  })
})

describe('per-provider circuit breaker', () => {
  const table: Array<[string, Array<[boolean, number]>, number, number, CircuitState]> = [
    ['no history → closed', [], 0, 0, 'closed'],
    ['two failures → closed', [[true, 0], [true, -1]], 10, 0, 'closed'],
    ['three failures → open', [[true, 0], [true, -1], [true, -2]], 10, 0, 'open'],
    ['a success after the failures → closed', [[false, 1], [true, 0], [true, -1], [true, -2]], 10, 0, 'closed'],
    ['open until the cool-down ends', [[true, 0], [true, -1], [true, -2]], CIRCUIT_COOLDOWN_MS - 1, 0, 'open'],
    ['half-open after the cool-down', [[true, 0], [true, -1], [true, -2]], CIRCUIT_COOLDOWN_MS, 0, 'half_open'],
    ['open again while the probe lane runs', [[true, 0], [true, -1], [true, -2]], CIRCUIT_COOLDOWN_MS + 5, 1, 'open'],
  ]
  for (const [name, outcomes, now, probes, expected] of table) {
    it(name, () => expect(evaluateCircuit(outcomes.map(([failed, at]) => ({ failed, at })), now, () => probes)).toBe(expected))
  }

  it('opens after three failed OpenAI batches (new lanes go to the host), half-opens after the cool-down for one probe lane, and closes when the probe succeeds', async () => {
    const org = app.newOrg('10.00')
    const circuit = () => liveOfferingStates(app.deps).find((s) => s.offering.offering_id === OPENAI)!.circuit
    const quoteLanes = async () => ((await postQuote(app, org.auth, { items: chatItems(1, 'gpt-4o-mini', 'q') })).body.quote_lanes as any[]).map((l) => [l.offering_id, l.selected, l.rejection_code])
    await setSimScenario(app, { models: { 'gpt-4o-mini': { fail_rate: 1, fail_status: 400 } } })
    for (let i = 0; i < 3; i++) {
      expect(circuit()).toBe('closed')
      const batchId = await createBatch(org.auth, 1, `cb${i}`)
      expect((await driveToTerminal(batchId, 1000)).status).toBe('completed')
    }
    expect(circuit()).toBe('open')
    expect(providerCircuits(app.deps, clock.now()).get('openai')).toBe('open')
    expect(await quoteLanes()).toContainEqual([OPENAI, false, 'provider_unavailable'])
    // A new batch no longer gets an OpenAI lane at all.
    const routedAway = await createBatch(org.auth, 1, 'away')
    await app.runJob('route-batches')
    expect(app.deps.db.select().from(lanesTable).where(eq(lanesTable.batchId, routedAway)).all().map((l) => l.offeringId)).toEqual([HOST])
    expect((await driveToTerminal(routedAway, 1000)).status).toBe('completed')

    clock.advance(CIRCUIT_COOLDOWN_MS)
    expect(circuit()).toBe('half_open')
    await setSimScenario(app, {})
    const probe = await createBatch(org.auth, 1, 'probe')
    await app.runJob('route-batches')
    expect(app.deps.db.select().from(lanesTable).where(eq(lanesTable.batchId, probe)).all().map((l) => l.offeringId)).toEqual([OPENAI])
    // Only one probe: while it runs the circuit reads open again.
    expect(circuit()).toBe('open')
    expect((await driveToTerminal(probe, 1000)).status).toBe('completed')
    expect(jobsOf(probe).map((j) => j.status)).toEqual(['ended'])
    expect(circuit()).toBe('closed')
    expect(await quoteLanes()).toContainEqual([OPENAI, true, null])
  })
})
