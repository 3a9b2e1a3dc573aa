/**
 * Where the jobs run (config `jobs.thread`). In worker mode (the default of `serve`) a job tick
 * that blocks its thread does not delay an HTTP answer; on the main thread the same tick does —
 * shown by the order of events (files the slow tick writes, the answer's arrival), not by timing.
 * Worker mode also: a batch completes through the mounted simulator, its nudges wake listeners on
 * the API thread (`deps.onNudge`), cancel aborts in-flight calls in the worker, the worker's job and
 * outcome counts appear in /metrics, a catalog reload reaches the worker, and a crashed worker is
 * logged and started again.
 */
import { afterEach, describe, expect, it } from 'bun:test'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLog } from '../../src/lib/log'
import type { JobName } from '../../src/deps'
import { startTestApp, type TestApp } from '../helpers/test-app'
import { startSimProcess, waitFor, type SimProcess } from '../helpers/process'
import { LLAMA, LLAMA_UPSTREAM, OPENHOST_ONLY, chatItems, getJson, newKey, postBatch, setSimScenario, waitForTerminal } from '../helpers/batch-helpers'
import { SLOW_TICK_FILES, withSlowTick } from './fixtures/slow-tick'

const SLOW_WORKER = new URL('./fixtures/slow-tick-worker.ts', import.meta.url).href
const open: TestApp[] = []
const dirs: string[] = []

afterEach(async () => {
  await Promise.all(open.splice(0).map((a) => a.close()))
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function newDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'br-jobs-thread-'))
  dirs.push(dir)
  return dir
}

async function workerApp(opts: { dataDir?: string; demo?: boolean; lines?: string[] } = {}): Promise<TestApp> {
  const log = opts.lines ? createLog('info', (line) => void opts.lines!.push(line)) : undefined
  const app = await startTestApp({ dataDir: opts.dataDir, log, jobsWorkerEntry: SLOW_WORKER, config: { jobs: { thread: 'worker' }, tickMs: 50, demo: opts.demo ?? false } })
  open.push(app)
  await waitFor('the jobs worker to start', async () => (await app.request('/readyz')).status === 200)
  return app
}

describe('a job tick that blocks its thread', () => {
  it('worker mode: GET /healthz is answered while the tick is still blocking the jobs worker', async () => {
    const dir = newDir()
    const app = await workerApp({ dataDir: dir })
    expect(app.jobsThread).toBe('worker')
    writeFileSync(join(dir, SLOW_TICK_FILES.go), '')
    await waitFor('the slow tick to start', () => existsSync(join(dir, SLOW_TICK_FILES.started)))

    const res = await app.request('/healthz')
    expect(res.status).toBe(200)
    // The tick cannot end before the release file exists: the answer came while it was running.
    expect(existsSync(join(dir, SLOW_TICK_FILES.ended))).toBe(false)

    writeFileSync(join(dir, SLOW_TICK_FILES.release), '')
    await waitFor('the slow tick to end', () => existsSync(join(dir, SLOW_TICK_FILES.ended)))
  })

  it('main-thread mode: the same tick holds GET /healthz until it has ended (so the test above bites)', async () => {
    const dir = newDir()
    let answered: Promise<{ status: number; tickEnded: boolean }> | undefined
    const app = await startTestApp({
      dataDir: dir,
      config: { tickMs: 50 },
      // The request starts on the tick's own thread right before it blocks; the server answers on that thread too.
      wrapJobs: (jobs) => withSlowTick(jobs, { dir, capMs: 500, onStart: () => (answered = app.request('/healthz').then((r) => ({ status: r.status, tickEnded: existsSync(join(dir, SLOW_TICK_FILES.ended)) }))) }),
    })
    open.push(app)
    expect(app.jobsThread).toBe('main')
    writeFileSync(join(dir, SLOW_TICK_FILES.go), '')
    const answer = await waitFor('the slow tick to start and /healthz to answer', () => answered)
    expect(answer).toEqual({ status: 200, tickEnded: true })
  })
})

describe('deps.onNudge on the main thread', () => {
  it('hears a nudge made on this thread, as in worker mode', async () => {
    const app = await startTestApp({ scheduler: false, config: { demo: true } })
    open.push(app)
    const heard: JobName[] = []
    const off = app.deps.onNudge('route-batches', () => heard.push('route-batches'))
    const org = app.newOrg('10.00')
    expect((await postBatch(app, org.auth, { ...OPENHOST_ONLY, items: chatItems(1, LLAMA) }, newKey('main-nudge'))).status).toBe(202)
    expect(heard).toEqual(['route-batches'])
    off()
    app.deps.nudge('route-batches')
    expect(heard).toEqual(['route-batches'])
  })
})

describe('jobs in the worker', () => {
  it('a batch completes through the mounted simulator; worker nudges wake API-thread listeners; /metrics counts the worker’s passes and outcomes', async () => {
    const app = await workerApp({ demo: true })
    const heard: JobName[] = []
    for (const job of ['route-batches', 'dispatch-items', 'finalize-batches'] as const) app.deps.onNudge(job, () => heard.push(job))
    const org = app.newOrg('10.00')
    const created = await postBatch(app, org.auth, { ...OPENHOST_ONLY, items: chatItems(6, LLAMA) }, newKey('worker'))
    expect(created.status).toBe(202)
    const done = await waitForTerminal(app, org.auth, created.body.id)
    expect(done.batch.status).toBe('completed')
    expect(done.batch.counts.completed).toBe(6)
    // route-batches is nudged here (the create); dispatch-items and finalize-batches only in the worker.
    await waitFor('the worker’s nudges to be announced', () => heard.includes('finalize-batches') && heard.includes('dispatch-items'))
    expect(heard).toContain('route-batches')

    const metrics = await (await app.request('/metrics')).text()
    expect(metrics).toMatch(/batchrouter_job_passes_total\{job="dispatch-items"\} [1-9]/)
    expect(metrics).toMatch(/batchrouter_provider_outcomes_total\{provider="openhost",kind="ok"\} 6/)
  })

  it('cancel reaches the worker: in-flight calls are aborted and the batch ends cancelled', async () => {
    const app = await workerApp({ demo: true })
    // Calls that would hang for a minute: only an abort in the worker ends them in time.
    await setSimScenario(app, { models: { [LLAMA_UPSTREAM]: { latency_ms: 60_000 } } })
    const org = app.newOrg('10.00')
    const created = await postBatch(app, org.auth, { ...OPENHOST_ONLY, items: chatItems(3, LLAMA) }, newKey('worker-cancel'))
    expect(created.status).toBe(202)
    const id = created.body.id as string
    await waitFor('calls in flight', async () => (await getJson(app, org.auth, `/v1/batches/${id}`)).body.batch.counts.running === 3)
    const cancel = await app.request(`/v1/batches/${id}/cancel`, { method: 'POST', headers: org.auth })
    expect(cancel.status).toBe(200)
    const done = await waitForTerminal(app, org.auth, id)
    expect(done.batch.status).toBe('cancelled')
    expect(done.batch.counts.cancelled).toBe(3)
  })

  it('a catalog reload reaches the worker: the next batch goes to the upstream the new catalog names', async () => {
    const sims: SimProcess[] = [await startSimProcess(), await startSimProcess()]
    try {
      const [before, after] = sims as [SimProcess, SimProcess]
      const configFile = join(newDir(), 'batchrouter.json')
      const pointAt = (sim: SimProcess) => writeFileSync(configFile, JSON.stringify({ catalog: { providers: [{ id: 'openhost', kind: 'openai-compatible', base_url: `${sim.url}/v1`, api_key_env: '' }] } }))
      pointAt(before)
      const app = await startTestApp({ configFile, jobsWorkerEntry: SLOW_WORKER, config: { jobs: { thread: 'worker' }, tickMs: 50 } })
      open.push(app)
      await waitFor('the jobs worker to start', async () => (await app.request('/readyz')).status === 200)
      const org = app.newOrg('10.00')
      const run = async (tag: string) => {
        const created = await postBatch(app, org.auth, { ...OPENHOST_ONLY, items: chatItems(2, LLAMA, tag) }, newKey(tag))
        expect(created.status).toBe(202)
        expect((await waitForTerminal(app, org.auth, created.body.id)).batch.status).toBe('completed')
      }
      await run('first')
      expect([(await before.stats()).total, (await after.stats()).total]).toEqual([2, 0])

      pointAt(after)
      const reloaded = await app.request('/v1/admin/catalog/reload', { method: 'POST', headers: { authorization: `Bearer ${app.adminKey()}` } })
      expect(reloaded.status).toBe(200)
      await run('second')
      expect([(await before.stats()).total, (await after.stats()).total]).toEqual([2, 2])
    } finally {
      await Promise.all(sims.map((s) => s.stop('SIGKILL')))
    }
  })

  it('a worker that crashes is logged and started again; jobs run after the restart', async () => {
    const dir = newDir()
    const lines: string[] = []
    const app = await workerApp({ dataDir: dir, lines })
    writeFileSync(join(dir, SLOW_TICK_FILES.crash), '')
    await waitFor('the crash to be logged', () => lines.some((l) => l.includes('jobs worker exited unexpectedly')))
    await waitFor('the worker to run again', async () => (await app.request('/readyz')).status === 200, { timeoutMs: 10_000 })
    const before = jobPasses(await (await app.request('/metrics')).text())
    await waitFor('a job pass after the restart', async () => jobPasses(await (await app.request('/metrics')).text()) > before)
  })
})

function jobPasses(metrics: string): number {
  return Number(/batchrouter_job_passes_total\{job="rescue-leases"\} (\d+)/.exec(metrics)?.[1] ?? 0)
}
