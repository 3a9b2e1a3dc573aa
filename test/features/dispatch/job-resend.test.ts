/**
 * A provider job that is lost (the provider answers 404 for it, as after a restart of a provider
 * that kept its jobs in memory) or that the provider reports failed: its items are sent again to
 * the SAME offering within the deadline — a lost job is first re-adopted when the provider still
 * shows one for our job id — and only when their attempts are spent do they go down the ladder
 * or fail, with a message naming the real cause. A lost job never counts against the provider's
 * circuit. Demo app (mounted simulator) on a fake clock, talked to over HTTP.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'bun:test'
import { eq } from 'drizzle-orm'
import { FakeClock } from '../../../src/lib/clock'
import { createLog } from '../../../src/lib/log'
import { providerJobsTable } from '../../../src/features/dispatch/table'
import { MAX_ATTEMPTS } from '../../../src/features/dispatch/index'
import { providerCircuits } from '../../../src/features/routing/index'
import { startTestApp, type TestApp } from '../../helpers/test-app'
import { chatItems, driveToTerminal, getJson, itemRows, newKey, pageAllResults, postBatch, resetSim, setSimScenario } from '../../helpers/batch-helpers'

let app: TestApp
const clock = new FakeClock()
/** Every log line the app wrote (JSON), to check what job lines carry. */
const logLines: Array<Record<string, unknown>> = []

beforeAll(async () => {
  app = await startTestApp({ clock, scheduler: false, config: { demo: true }, log: createLog('info', (line) => void logLines.push(JSON.parse(line))) })
})
afterAll(() => app.close())
beforeEach(() => resetSim(app))

const jobsOf = (batchId: string) => app.deps.db.select().from(providerJobsTable).where(eq(providerJobsTable.batchId, batchId)).orderBy(providerJobsTable.createdAt, providerJobsTable.id).all()

async function createBatch(auth: Record<string, string>, model: string, n: number, tag: string): Promise<string> {
  const res = await postBatch(app, auth, { items: chatItems(n, model, tag) }, newKey(tag))
  expect(res.status).toBe(202)
  return res.body.id
}

/** Route and submit: the job is created and polled once (its first poll follows the create). */
async function submitOnce(): Promise<void> {
  await app.runJob('route-batches')
  await app.runJob('dispatch-items')
  await app.settleDispatch()
}

describe('lost and failed provider jobs are sent again to the same offering', () => {
  for (const model of ['gpt-4o-mini', 'claude-haiku-4-5']) {
    it(`${model}: a job the provider forgot is resubmitted to the same offering; every item completes, the circuit stays closed`, async () => {
      const org = app.newOrg('5.00')
      await setSimScenario(app, { global: { lose_batches: true, turnaround_s: 60 } })
      const batchId = await createBatch(org.auth, model, 3, `lost-${model}`)
      await submitOnce()
      const [lost] = jobsOf(batchId)
      expect(lost).toMatchObject({ status: 'failed', cause: 'provider_lost' })
      expect(lost!.error).toContain('provider batch job lost')
      const waiting = itemRows(app, batchId)
      expect(waiting.map((i) => [i.status, i.providerJobId, i.offeringId === lost!.offeringId])).toEqual(Array(3).fill(['queued', null, true]))
      expect(waiting[0]!.errorMessage).toContain('The provider batch job was lost')

      await setSimScenario(app, { global: { turnaround_s: 60 } })
      expect((await driveToTerminal(app, clock, batchId)).status).toBe('completed')
      const jobs = jobsOf(batchId)
      expect(jobs.map((j) => [j.status, j.cause, j.offeringId])).toEqual([['failed', 'provider_lost', lost!.offeringId], ['ended', null, lost!.offeringId]])
      const { results } = await pageAllResults(app, org.auth, batchId)
      expect(results.map((r) => [r.status, r.attempts, r.error])).toEqual(Array(3).fill(['completed', 2, null]))
      // A lost job is neutral: it neither opens nor keeps open the provider's circuit.
      expect(providerCircuits(app.deps, clock.now()).get(lost!.provider) ?? 'closed').toBe('closed')
    })
  }

  it('a lost job the provider still shows under our job id (metadata) is re-adopted, not sent twice', async () => {
    const org = app.newOrg('5.00')
    await setSimScenario(app, { global: { turnaround_s: 60 } })
    const batchId = await createBatch(org.auth, 'gpt-4o-mini', 2, 'readopt')
    await submitOnce()
    const [job] = jobsOf(batchId)
    expect(job!.status).toBe('running')
    // Our record points at a remote id the provider does not know (e.g. restored from an old backup).
    app.deps.db.update(providerJobsTable).set({ remoteId: 'batch_unknown_to_the_provider', nextPollAt: clock.now() }).where(eq(providerJobsTable.id, job!.id)).run()
    await app.runJob('collect-results')
    expect(jobsOf(batchId)[0]).toMatchObject({ status: 'running', remoteId: job!.remoteId })
    expect((await driveToTerminal(app, clock, batchId)).status).toBe('completed')
    expect(jobsOf(batchId).map((j) => [j.status, j.remoteId])).toEqual([['ended', job!.remoteId]])
    expect(itemRows(app, batchId).map((i) => i.attempts)).toEqual([1, 1])
  })

  it('a job the provider reports failed is resubmitted to the same offering and the items complete', async () => {
    const org = app.newOrg('5.00')
    await setSimScenario(app, { global: { fail_batch: true, turnaround_s: 60 } })
    const batchId = await createBatch(org.auth, 'gpt-4o-mini', 2, 'failed-once')
    await submitOnce()
    clock.advance(10_000)
    await app.runJob('collect-results')
    const [failed] = jobsOf(batchId)
    expect(failed).toMatchObject({ status: 'failed', cause: 'provider_failed', error: 'provider reported failed: token_limit_exceeded' })
    expect(itemRows(app, batchId).map((i) => i.status)).toEqual(['queued', 'queued'])

    await setSimScenario(app, { global: { turnaround_s: 60 } })
    expect((await driveToTerminal(app, clock, batchId)).status).toBe('completed')
    expect(jobsOf(batchId).map((j) => [j.status, j.offeringId])).toEqual([['failed', failed!.offeringId], ['ended', failed!.offeringId]])
    expect(itemRows(app, batchId).map((i) => [i.status, i.attempts])).toEqual([['completed', 2], ['completed', 2]])
  })

  it('a provider that fails every job: bounded resends, then the items fail naming the real cause (not the SLA deadline)', async () => {
    const org = app.newOrg('5.00')
    await setSimScenario(app, { global: { fail_batch: true, turnaround_s: 60 } })
    const batchId = await createBatch(org.auth, 'gpt-4o-mini', 2, 'failed-always')
    await driveToTerminal(app, clock, batchId, 30)
    const jobs = jobsOf(batchId)
    expect(jobs.length).toBeGreaterThan(1)
    expect(jobs.length).toBeLessThanOrEqual(MAX_ATTEMPTS)
    expect(jobs.every((j) => j.status === 'failed' && j.cause === 'provider_failed')).toBe(true)
    const { results } = await pageAllResults(app, org.auth, batchId)
    for (const r of results) {
      expect(r.status).toBe('failed')
      expect(r.error.message).toContain('provider reported failed: token_limit_exceeded')
      expect(r.error.message).toContain(`${jobs.length} attempts on openai-batch-gpt-4o-mini`)
      expect(r.error.message).toContain('its lane has no fallback offering')
      expect(r.error.message).not.toContain('before the SLA deadline')
    }
    // The receipt says the same.
    const receipt = await getJson(app, org.auth, `/v1/batches/${batchId}`)
    expect(JSON.stringify(receipt.body)).not.toContain('before the SLA deadline')
  })

  it('every provider-job log line of these runs names its batch (pino child logger)', () => {
    const jobLines = logLines.filter((l) => 'job_id' in l)
    expect(jobLines.map((l) => l.msg)).toEqual(expect.arrayContaining(['provider job lost', 'provider job items sent again', 'provider job ended', 'provider job re-adopted']))
    for (const l of jobLines) expect(l).toMatchObject({ batch_id: expect.stringMatching(/^bat_/), job_id: expect.stringMatching(/^pjob_/), provider: expect.any(String), offering_id: expect.any(String) })
  })
})
