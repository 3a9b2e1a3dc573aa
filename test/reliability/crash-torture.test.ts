/**
 * Crash torture with real processes: 5,000-item batches spread over a request lane (one call per
 * item) and both provider-batch dialects (OpenAI Batch, Anthropic Message Batches) on a standalone
 * simulator that keeps its jobs in its data dir; the router is killed with SIGKILL at seeded random
 * points (the seed is printed; CRASH_SEED=<seed> replays it) and started again on the same data dir
 * each time. Afterwards: every batch terminal, every item exactly one result and completed (0
 * failed because of the restarts), no provider job ended with a cause that counts against a
 * circuit, reserved = charged + released per reservation, the account = grants − charges, and the
 * re-sends (items the provider ran more than once, counted by the simulator) bounded and printed.
 * `make test` runs 10 kills over one batch; `make soak` runs 20 kills over 3 batches.
 */
import { afterAll, expect, test } from 'bun:test'
import { join } from 'node:path'
import { apiClient, registerOrg, removeDir, startSimProcess, tempDir, type ServerProcess, type SimProcess } from '../helpers/process'
import { mulberry32 } from '../../src/sim/deterministic'
import { MIXED_MODELS, createMixedBatch, expectReconciled, routerDb, startRouter, waitTerminal } from './harness'

const KILLS = Number(process.env.CRASH_KILLS ?? 10)
const BATCHES = Number(process.env.CRASH_BATCHES ?? 1)
const ITEMS = 5000
const SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31))
/** The request lane's concurrency in the default catalog (openhost-llama-3.1-8b-instruct). */
const REQUEST_CONCURRENCY = 32
/** Kills land this long after a start's readiness (seeded, uniform). */
const KILL_AFTER_MS = { min: 250, max: 2500 }

const root = tempDir('br-crash-torture-')
const children: Array<{ stop(signal?: NodeJS.Signals): Promise<number> }> = []

afterAll(async () => {
  await Promise.all(children.map((c) => c.stop('SIGKILL')))
  removeDir(root)
})

/** Items the provider ran more than once, by lane kind (request lane vs provider-batch lanes). */
async function resends(sim: SimProcess, dataDir: string): Promise<{ request: number; batch: number }> {
  const sent = (await sim.stats()).by_custom_id
  const db = routerDb(dataDir)
  try {
    const items = db.query('SELECT id, offering_id AS offeringId FROM items').all() as Array<{ id: string; offeringId: string }>
    const requestOffering = MIXED_MODELS[2].offering
    const out = { request: 0, batch: 0 }
    for (const item of items) {
      const extra = Math.max(0, (sent[item.id] ?? 0) - 1)
      if (item.offeringId === requestOffering) out.request += extra
      else out.batch += extra
    }
    return out
  } finally {
    db.close()
  }
}

test(`crash torture: ${BATCHES} × ${ITEMS} items over request and both provider-batch lanes, ${KILLS} × kill -9 (seed printed)`, async () => {
  console.log(`crash-torture seed ${SEED} (replay: CRASH_SEED=${SEED}), ${KILLS} kills, ${BATCHES} batch(es) of ${ITEMS}`)
  const random = mulberry32(SEED)
  const sim = await startSimProcess({ dataDir: join(root, 'sim') })
  children.push(sim)
  // Slow enough that the kills land while calls, submissions and provider jobs are in flight.
  await sim.scenario({ global: { latency_ms: 150, turnaround_s: 15 } })
  const dataDir = join(root, 'router')
  let router: ServerProcess = await startRouter(dataDir, sim.url)
  children.push(router)
  const port = router.port
  const client = await registerOrg(router.url)
  const batches = []
  for (let b = 0; b < BATCHES; b++) batches.push({ id: await createMixedBatch(client, ITEMS, `torture-${b}`), n: ITEMS, tag: `torture-${b}` })

  const killedAt: number[] = []
  for (let k = 0; k < KILLS; k++) {
    const afterMs = Math.round(KILL_AFTER_MS.min + random() * (KILL_AFTER_MS.max - KILL_AFTER_MS.min))
    await Bun.sleep(afterMs)
    router.kill('SIGKILL')
    expect(await router.exited).toBe(137)
    killedAt.push(afterMs)
    router = await startRouter(dataDir, sim.url, port)
    children.push(router)
  }
  const again = apiClient(router.url, client.key, client.orgId)
  const statuses = await waitTerminal(again, batches.map((b) => b.id), 180_000)
  expect(statuses).toEqual(batches.map(() => 'completed'))

  const figures = await expectReconciled(again, dataDir, batches)
  const resent = await resends(sim, dataDir)
  console.log(`crash-torture result: kills after ${killedAt.join(', ')} ms; ${JSON.stringify({ ...figures, resentRequestLane: resent.request, resentBatchLanes: resent.batch })}`)
  expect(figures).toMatchObject({ items: BATCHES * ITEMS, completed: BATCHES * ITEMS, failed: 0 })
  // What a kill can make the provider run twice: request calls in flight plus one claimed group
  // (2 × concurrency, see test/e2e/restart.test.ts); provider jobs are followed, never re-created.
  expect(resent.request).toBeLessThanOrEqual(KILLS * 2 * REQUEST_CONCURRENCY)
  expect(resent.batch).toBe(0)
  await router.stop('SIGTERM')
})
