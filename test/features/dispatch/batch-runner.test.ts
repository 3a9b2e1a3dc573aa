/**
 * Provider jobs end to end on a fake clock: a demo batch runs through the simulator's OpenAI
 * Batch dialect (submit → poll → results), a lane larger than one provider batch is split into
 * several provider jobs, and a submission interrupted by a crash — after the remote create, or
 * before it — is reconciled on restart without creating a second remote batch or running an
 * item twice.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'bun:test'
import { eq } from 'drizzle-orm'
import { FakeClock } from '../../../src/lib/clock'
import { lanesTable, providerJobsTable } from '../../../src/features/dispatch/table'
import { createOpenAiBatchAdapter } from '../../../src/providers/openai-batch'
import { claimLaneItems, CLAIM_LEASE_MS, createProviderJobs, PROVIDER_JOB_LEASES, rescueLapsedLeases } from '../../../src/features/dispatch/index'
import { startTestApp, type TestApp } from '../../helpers/test-app'
import { batchRow, chatItems, driveToTerminal, itemRows, newKey, postBatch, resetSim, setSimScenario, simStats } from '../../helpers/batch-helpers'

const OPENAI = 'openai-batch-gpt-4o-mini'
let app: TestApp
const clock = new FakeClock()

/** Provider batches of at most this many requests in these tests, so a split is cheap to show. */
const MAX_REQUESTS = 2

beforeAll(async () => {
  app = await startTestApp({ clock, scheduler: false, config: { demo: true }, adapters: { openaiBatch: { limits: { maxRequests: MAX_REQUESTS } } } })
})
afterAll(() => app.close())
beforeEach(() => resetSim(app))

async function createBatch(auth: Record<string, string>, n: number, tag: string): Promise<string> {
  const res = await postBatch(app, auth, { items: chatItems(n, 'gpt-4o-mini', tag) }, newKey(tag))
  expect(res.status).toBe(202)
  return res.body.id
}

const jobsOf = (batchId: string) => app.deps.db.select().from(providerJobsTable).where(eq(providerJobsTable.batchId, batchId)).all()
const simBatches = async () => ((await (await app.request('/_sim/upstream/v1/batches?limit=100')).json()) as { data: Array<{ id: string; metadata: Record<string, string> | null }> }).data

describe('provider jobs (openai-batch in demo)', () => {
  it('a batch runs as one provider job: every item completed from the output file, once', async () => {
    const org = app.newOrg('5.00')
    await setSimScenario(app, { global: { turnaround_s: 120 } })
    const batchId = await createBatch(org.auth, 2, 'one')
    expect((await driveToTerminal(app, clock, batchId)).status).toBe('completed')
    expect(jobsOf(batchId).map((j) => [j.status, j.cause, j.itemCount])).toEqual([['ended', null, 2]])
    const stats = await simStats(app)
    for (const item of itemRows(app, batchId)) {
      expect([item.status, item.provider, item.providerJobId, stats.by_custom_id[item.id]]).toEqual(['completed', 'openai', jobsOf(batchId)[0]!.id, 1])
      expect(item.inputTokens).toBeGreaterThan(0)
      expect(item.costMicros).toBeGreaterThan(0)
    }
  })

  it(`a lane larger than one provider batch (${MAX_REQUESTS} requests) is split into several provider jobs, all collected`, async () => {
    const org = app.newOrg('5.00')
    const batchId = await createBatch(org.auth, 5, 'split')
    expect((await driveToTerminal(app, clock, batchId)).status).toBe('completed')
    const jobs = jobsOf(batchId)
    expect(jobs.map((j) => [j.status, j.itemCount]).sort()).toEqual([['ended', 1], ['ended', 2], ['ended', 2]])
    expect(new Set(jobs.map((j) => j.laneId)).size).toBe(1)
    const items = itemRows(app, batchId)
    expect(items.every((i) => i.status === 'completed')).toBe(true)
    expect(new Set(items.map((i) => i.providerJobId)).size).toBe(3)
  })

  it('a crash after the remote create: on restart the job is found by its id in the batch metadata, not created again', async () => {
    const org = app.newOrg('5.00')
    const batchId = await createBatch(org.auth, 2, 'crash-after')
    await app.runJob('route-batches')
    const lane = app.deps.db.select().from(lanesTable).where(eq(lanesTable.batchId, batchId)).get()!
    // The submitter's steps up to the remote create, done by hand; then the process "dies".
    const claim = claimLaneItems.claim(app.deps, { holder: 'batch-runner', until: clock.now() + CLAIM_LEASE_MS, limit: 100, now: clock.now(), params: { laneId: lane.id, offeringId: OPENAI } })
    const entries = claim.rows.map((i) => ({ customId: i.id, request: { itemId: i.id, operation: 'responses' as const, url: '/v1/chat/completions', model: 'gpt-4o-mini', body: { messages: [{ role: 'user', content: 'hi' }] } } }))
    const [job] = createProviderJobs(app.deps, { batchId, laneId: lane.id, provider: 'openai', offeringId: OPENAI, kind: 'openai-batch' }, [entries], claim.leaseId!, clock.now())
    const { remoteId } = await createOpenAiBatchAdapter().submit({ providerId: 'openai', baseUrl: `${app.url}/_sim/upstream/v1`, apiKey: 'k' }, { jobId: job!.id, entries })

    // Restart: every lease is rescued; collect-results reconciles the submitting row.
    rescueLapsedLeases(app.deps, [PROVIDER_JOB_LEASES], clock.now(), Number.MAX_SAFE_INTEGER)
    await app.runJob('collect-results')
    expect(jobsOf(batchId)[0]).toMatchObject({ status: 'running', remoteId })
    expect((await simBatches()).filter((b) => b.metadata?.batchrouter_job_id === job!.id)).toHaveLength(1)
    expect((await driveToTerminal(app, clock, batchId)).status).toBe('completed')
    const stats = await simStats(app)
    for (const item of itemRows(app, batchId)) expect([item.status, stats.by_custom_id[item.id]]).toEqual(['completed', 1])
  })

  it('a crash before the remote create: on restart the job is created once from its recorded items', async () => {
    const org = app.newOrg('5.00')
    const batchId = await createBatch(org.auth, 2, 'crash-before')
    await app.runJob('route-batches')
    const lane = app.deps.db.select().from(lanesTable).where(eq(lanesTable.batchId, batchId)).get()!
    const claim = claimLaneItems.claim(app.deps, { holder: 'batch-runner', until: clock.now() + CLAIM_LEASE_MS, limit: 100, now: clock.now(), params: { laneId: lane.id, offeringId: OPENAI } })
    const entries = claim.rows.map((i) => ({ customId: i.id, request: { itemId: i.id, operation: 'responses' as const, url: '/v1/chat/completions', model: 'gpt-4o-mini', body: {} } }))
    const [job] = createProviderJobs(app.deps, { batchId, laneId: lane.id, provider: 'openai', offeringId: OPENAI, kind: 'openai-batch' }, [entries], claim.leaseId!, clock.now())
    expect(job!.status).toBe('submitting')

    rescueLapsedLeases(app.deps, [PROVIDER_JOB_LEASES], clock.now(), Number.MAX_SAFE_INTEGER)
    await app.runJob('collect-results')
    const [row] = jobsOf(batchId)
    expect(row!.status).toBe('running')
    expect((await simBatches()).filter((b) => b.metadata?.batchrouter_job_id === job!.id).map((b) => b.id)).toEqual([row!.remoteId!])
    expect((await driveToTerminal(app, clock, batchId)).status).toBe('completed')
    expect(itemRows(app, batchId).every((i) => i.status === 'completed')).toBe(true)
  })

  it('a cancelled batch cancels its running provider job: finished items kept, the rest batch_cancelled', async () => {
    const org = app.newOrg('5.00')
    await setSimScenario(app, { global: { turnaround_s: 100 } })
    const batchId = await createBatch(org.auth, 2, 'cancel')
    await app.runJob('route-batches')
    await app.runJob('dispatch-items')
    await app.settleDispatch()
    clock.advance(50_000) // lines finish at 10 s + 80 s × k/2: the first one has run
    await app.runJob('collect-results')
    const cancel = await app.request(`/v1/batches/${batchId}/cancel`, { method: 'POST', headers: org.auth })
    expect(cancel.status).toBe(200)
    await app.runJob('collect-results')
    await app.runJob('finalize-batches')
    expect(batchRow(app, batchId)!.status).toBe('cancelled')
    expect(jobsOf(batchId).map((j) => [j.status, j.cause])).toEqual([['cancelled', 'batch_stopped']])
    expect(itemRows(app, batchId).map((i) => [i.status, i.errorCode])).toEqual([['completed', null], ['cancelled', 'batch_cancelled']])
  })
})
