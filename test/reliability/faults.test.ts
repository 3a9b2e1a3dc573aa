/**
 * Fault injection on the provider-batch lanes (the simulator's OpenAI Batch dialect, mounted in
 * a demo app, fake clock) and on the data dir: a 5xx storm on the batch API, a storm that never
 * ends, slow answers past the adapter timeout, malformed result files, and a full disk. Whatever
 * the fault: no item is lost (each ends with exactly one result), the ones that cannot run fail
 * with an error that names the real cause, and the charge is what the completed items cost. (The
 * request lane's faults are in test/e2e/faults.test.ts; a lost provider job in
 * test/features/dispatch/job-resend.test.ts.)
 *
 * The full disk is real where the test may mount a small tmpfs (root with CAP_SYS_ADMIN, as in
 * CI's container); elsewhere the data dir's tmp/ is swapped for a file, so the artifact writer
 * fails the same way (an injected writer error), and the HTTP check of 503 storage_full is skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { eq } from 'drizzle-orm'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FakeClock } from '../../src/lib/clock'
import { MAX_ATTEMPTS } from '../../src/features/dispatch/index'
import { providerJobsTable } from '../../src/features/dispatch/table'
import { startTestApp, type TestApp } from '../helpers/test-app'
import { batchRow, chatItems, driveToTerminal, itemRows, ledgerSums, micros, newKey, pageAllResults, postBatch, reservationOfBatch, resetSim, setSimScenario, simStats, storeTrace } from '../helpers/batch-helpers'

const MODEL = 'gpt-4o-mini'
const OFFERING = 'openai-batch-gpt-4o-mini'

/** Every item exactly one result, failures with a message, the charge = Σ completed costs = the ledger charge. */
async function expectNothingLost(app: TestApp, auth: Record<string, string>, batchId: string, n: number) {
  const { results } = await pageAllResults(app, auth, batchId)
  expect(results).toHaveLength(n)
  expect(new Set(results.map((r) => r.batch_item_id)).size).toBe(n)
  for (const r of results) {
    expect(['completed', 'failed']).toContain(r.status)
    if (r.status === 'failed') expect(r.error.message.length).toBeGreaterThan(20)
    expect(r.attempts).toBeLessThanOrEqual(MAX_ATTEMPTS)
  }
  const completedCost = results.filter((r) => r.status === 'completed').reduce((a, r) => a + micros(r.cost.amount), 0)
  const reservation = reservationOfBatch(app, batchId)!
  expect(batchRow(app, batchId)!.chargedMicros).toBe(completedCost)
  expect(ledgerSums(app, reservation.id).charge).toBe(completedCost)
  return results
}

describe('provider-batch faults (simulator, fake clock)', () => {
  let app: TestApp
  const clock = new FakeClock()
  beforeAll(async () => {
    // A short adapter timeout so slow answers are given up on quickly.
    app = await startTestApp({ clock, scheduler: false, config: { demo: true }, adapters: { openaiBatch: { timeoutMs: 300 } } })
  })
  afterAll(() => app.close())
  const jobsOf = (batchId: string) => app.deps.db.select().from(providerJobsTable).where(eq(providerJobsTable.batchId, batchId)).all()

  async function created(n: number, tag: string) {
    const org = app.newOrg('5.00')
    const res = await postBatch(app, org.auth, { items: chatItems(n, MODEL, tag) }, newKey(tag))
    expect(res.status).toBe(202)
    return { org, batchId: res.body.id as string }
  }

  it('a 5xx storm on the batch API while submitting: the create is retried, every item completes once', async () => {
    await resetSim(app)
    await setSimScenario(app, { global: { fail_rate: 1, fail_status: 503, retry_after_s: 0 } })
    const { org, batchId } = await created(4, 'storm')
    await app.runJob('route-batches')
    await app.runJob('dispatch-items')
    await app.settleDispatch()
    expect(jobsOf(batchId).map((j) => [j.status, j.attempts])).toEqual([['submitting', 1]])
    expect(jobsOf(batchId)[0]!.error).toContain('HTTP 503')
    await setSimScenario(app, { global: { turnaround_s: 60 } })
    expect((await driveToTerminal(app, clock, batchId)).status).toBe('completed')
    const results = await expectNothingLost(app, org.auth, batchId, 4)
    expect(results.every((r) => r.status === 'completed' && r.attempts === 1)).toBe(true)
    const stats = await simStats(app)
    expect(itemRows(app, batchId).map((i) => stats.by_custom_id[i.id])).toEqual([1, 1, 1, 1])
  })

  it('a storm that never ends: bounded creates, then every item fails naming the provider refusing the batch', async () => {
    await resetSim(app)
    await setSimScenario(app, { global: { fail_rate: 1, fail_status: 503, retry_after_s: 0 } })
    const { org, batchId } = await created(3, 'endless')
    await driveToTerminal(app, clock, batchId)
    const results = await expectNothingLost(app, org.auth, batchId, 3)
    for (const r of results) {
      expect(r.status).toBe('failed')
      expect(r.error.message).toContain('the provider did not accept the batch')
      expect(r.error.message).toContain('HTTP 503')
      expect(r.error.message).not.toContain('before the SLA deadline')
    }
    expect(jobsOf(batchId).map((j) => [j.status, j.cause])).toEqual([['failed', 'provider_failed']])
    // No provider batch was ever created (asked once the storm is over).
    await setSimScenario(app, { global: {} })
    expect(((await (await app.request('/_sim/upstream/v1/batches?limit=100')).json()) as { data: unknown[] }).data).toEqual([])
  })

  it('slow answers past the adapter timeout: polls time out and are retried; the job completes once they are fast again', async () => {
    await resetSim(app)
    await setSimScenario(app, { global: { turnaround_s: 60 } })
    const { org, batchId } = await created(3, 'slow')
    await app.runJob('route-batches')
    await app.runJob('dispatch-items')
    await app.settleDispatch()
    expect(jobsOf(batchId).map((j) => j.status)).toEqual(['running'])
    await setSimScenario(app, { global: { turnaround_s: 60, latency_ms: 1000 } })
    clock.advance(70_000)
    await app.runJob('collect-results')
    // The poll timed out (retryable): the job is still running, nothing failed over.
    expect(jobsOf(batchId).map((j) => [j.status, j.cause])).toEqual([['running', null]])
    expect(itemRows(app, batchId).every((i) => i.status === 'running')).toBe(true)
    await setSimScenario(app, { global: { turnaround_s: 60 } })
    expect((await driveToTerminal(app, clock, batchId)).status).toBe('completed')
    const results = await expectNothingLost(app, org.auth, batchId, 3)
    expect(results.map((r) => [r.status, r.attempts])).toEqual([['completed', 1], ['completed', 1], ['completed', 1]])
  })

  it('malformed result files (half the lines): unreadable lines are sent again; each item completes with a valid answer or fails after MAX_ATTEMPTS naming the missing result', async () => {
    await resetSim(app)
    await setSimScenario(app, { global: { turnaround_s: 60, malformed_results_rate: 0.5, seed: 5 } })
    const { org, batchId } = await created(12, 'malformed')
    expect((await driveToTerminal(app, clock, batchId, 30)).status).toBe('completed')
    const results = await expectNothingLost(app, org.auth, batchId, 12)
    // Seed 5 breaks some lines on the first run; those ran again in a later provider job.
    expect(results.some((r) => r.attempts > 1)).toBe(true)
    expect(jobsOf(batchId).length).toBeGreaterThan(1)
    for (const r of results) {
      if (r.status === 'completed') expect(r.output?.object).toBe('chat.completion')
      else {
        expect(r.attempts).toBe(MAX_ATTEMPTS)
        expect(r.error.message).toMatch(new RegExp(`^The provider (batch ended without a result for this item|reported a failure for this line)\\. after ${MAX_ATTEMPTS} attempts$`))
      }
    }
    expect(results.filter((r) => r.status === 'completed').length).toBeGreaterThan(6)
    expect(jobsOf(batchId).every((j) => j.offeringId === OFFERING)).toBe(true)
  })
})

/** Mounts a tmpfs of `bytes` at `dir`; false where mounting is not allowed. */
function mountSmallDisk(dir: string, bytes: number): boolean {
  const run = Bun.spawnSync(['mount', '-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stderr: 'pipe', stdout: 'pipe' })
  return run.exitCode === 0
}

/** Writes a filler file until the disk is full. */
function fillDisk(dir: string): string {
  const path = join(dir, 'filler.bin')
  const chunk = Buffer.alloc(256 * 1024, 1)
  let written = 0
  for (;;) {
    try {
      writeFileSync(path, chunk, { flag: 'a' })
      written += chunk.length
    } catch {
      break
    }
    if (written > 1024 * 1024 * 1024) throw new Error('the disk never filled up')
  }
  // The last partial chunk: whatever bytes are left.
  for (let size = 64 * 1024; size >= 1; size = Math.floor(size / 2)) {
    try {
      writeFileSync(path, Buffer.alloc(size, 1), { flag: 'a' })
    } catch {
      // this size no longer fits; try a smaller one
    }
  }
  return path
}

describe('a full data disk', () => {
  // Mounted in beforeAll, so a filtered run (-t) that skips this block mounts nothing.
  let root = ''
  const mounted = Bun.spawnSync(['sh', '-c', 'command -v mount']).exitCode === 0 && process.getuid?.() === 0
  let dataDir = ''
  let app: TestApp
  let onTmpfs = false
  const clock = new FakeClock()
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'br-disk-full-'))
    dataDir = join(root, 'data')
    onTmpfs = mounted && mountSmallDisk(root, 64 * 1024 * 1024)
    mkdirSync(dataDir, { recursive: true })
    app = await startTestApp({ clock, scheduler: false, config: { demo: true }, dataDir })
  })
  afterAll(async () => {
    await app.close()
    // Lazy: the kernel detaches it once the last open file of the closed app is gone.
    if (onTmpfs) Bun.spawnSync(['umount', '-l', root])
    rmSync(root, { recursive: true, force: true })
  })

  it('a real full tmpfs (else an injected writer error): nothing is stored or lost; the batch finishes once space is back', async () => {
    const mounted = onTmpfs
    console.log(`disk-full test: ${mounted ? 'data dir on a 64 MB tmpfs, filled to the last byte' : 'tmpfs not mountable here; tmp/ replaced by a file (injected writer error)'}`)
    await setSimScenario(app, { global: { turnaround_s: 60 } })
    const org = app.newOrg('5.00')
    const res = await postBatch(app, org.auth, { items: chatItems(20, MODEL, 'disk') }, newKey('disk'))
    expect(res.status).toBe(202)
    const batchId = res.body.id as string
    // Run the items, but do not finalize yet.
    for (let i = 0; i < 10 && itemRows(app, batchId).some((r) => r.status !== 'completed'); i++) {
      await app.runJob('route-batches')
      await app.runJob('dispatch-items')
      await app.settleDispatch()
      clock.advance(70_000)
      await app.runJob('collect-results')
    }
    expect(itemRows(app, batchId).every((r) => r.status === 'completed')).toBe(true)

    let filler: string | null = null
    if (mounted) filler = fillDisk(root)
    else {
      rmSync(app.deps.paths.tmp, { recursive: true, force: true })
      writeFileSync(app.deps.paths.tmp, 'not a directory')
    }
    if (mounted) {
      // A new batch while the disk is full: 503 storage_full, saying so, and nothing stored.
      const before = storeTrace(app)
      const refused = await postBatch(app, org.auth, { items: chatItems(50, MODEL, 'full') }, newKey('full'))
      expect(refused.status).toBe(503)
      expect(refused.body.error.code).toBe('storage_full')
      expect(refused.body.error.message).toContain('data disk is full')
      expect(refused.headers.get('retry-after')).toBe('30')
      const after = storeTrace(app)
      expect({ ...after, tmp: 0 }).toEqual({ ...before, tmp: 0 })
    }
    // Finalizing cannot write the results: the batch stays completing, its items untouched.
    await expect(app.runJob('finalize-batches')).rejects.toThrow()
    expect(['completing', 'processing']).toContain(batchRow(app, batchId)!.status)
    expect(itemRows(app, batchId).filter((r) => r.status === 'completed')).toHaveLength(20)

    if (filler) rmSync(filler)
    else {
      rmSync(app.deps.paths.tmp, { force: true })
      mkdirSync(app.deps.paths.tmp, { mode: 0o700 })
    }
    const row = await driveToTerminal(app, clock, batchId)
    expect(row.status).toBe('completed')
    await expectNothingLost(app, org.auth, batchId, 20)
  })
})
