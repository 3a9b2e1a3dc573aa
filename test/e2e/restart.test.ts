/**
 * Restarts with real processes: a standalone simulator (`bun src/main.ts sim`) whose request
 * counts outlive the router, and the router (`bun src/main.ts serve`) pointed at it through a
 * config file. A 200-item batch is interrupted mid-flight by SIGTERM or SIGKILL, the router is
 * started again on the same data dir, and the batch must complete with every item exactly once
 * in the results, nothing lost, re-sends bounded by what was in flight, and one charge.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { apiClient, openaiToSim, registerOrg, removeDir, startServerProcess, startSimProcess, tempDir, waitFor, type ApiClient, type ServerProcess, type SimProcess } from '../helpers/process'

const ITEMS = 200
/** The default catalog's concurrency for openai-batch-gpt-4o-mini. */
const CONCURRENCY = 32
const LATENCY_MS = 80

let sim: SimProcess
let root: string
const servers: ServerProcess[] = []

beforeAll(async () => {
  sim = await startSimProcess()
  root = tempDir('br-e2e-restart-')
})

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop('SIGKILL')))
  await sim?.stop('SIGKILL')
  if (root) removeDir(root)
})

beforeEach(async () => {
  await sim.reset()
  await sim.scenario({ global: { latency_ms: LATENCY_MS } })
})

function serverConfig() {
  // Jobs in the jobs worker (the default, said explicitly): drain and resume across the thread boundary.
  return { jobs: { thread: 'worker' }, tickMs: 50, startingCredit: '100.00', logLevel: 'warn', catalog: openaiToSim(sim.url) }
}

async function start(dataDir: string): Promise<ServerProcess> {
  const server = await startServerProcess({ dataDir, config: serverConfig() })
  servers.push(server)
  return server
}

async function createBatch(client: ApiClient, tag: string): Promise<string> {
  const items = Array.from({ length: ITEMS }, (_, i) => ({
    customer_item_id: `${tag}-${i}`,
    operation: 'responses',
    model: 'gpt-4o-mini',
    input: { messages: [{ role: 'user', content: `Say something short about the number ${i}.` }], max_tokens: 16 },
  }))
  const res = await client.post('/v1/batches', { items }, { 'idempotency-key': `restart-${tag}-0001` })
  expect(res.status).toBe(202)
  return res.body.id as string
}

type Counts = { total: number; pending: number; running: number; completed: number; failed: number; cancelled: number }

async function counts(client: ApiClient, batchId: string): Promise<{ status: string; counts: Counts }> {
  const res = await client.get(`/v1/batches/${batchId}`)
  expect(res.status).toBe(200)
  return { status: res.body.batch.status, counts: res.body.batch.counts }
}

/** Polls until some items are completed while others are still pending and some are running. */
async function waitMidFlight(client: ApiClient, batchId: string): Promise<Counts> {
  return waitFor(
    'the batch to be mid-flight',
    async () => {
      const { counts: c } = await counts(client, batchId)
      return c.completed >= 40 && c.pending > 0 && c.running > 0 ? c : null
    },
    { timeoutMs: 20_000, everyMs: 5 },
  )
}

async function waitCompleted(client: ApiClient, batchId: string): Promise<void> {
  await waitFor(
    'the batch to complete',
    async () => {
      const b = await counts(client, batchId)
      if (['failed', 'cancelled', 'expired'].includes(b.status)) throw new Error(`batch ended ${b.status}`)
      return b.status === 'completed'
    },
    { timeoutMs: 30_000, everyMs: 50 },
  )
}

async function allResults(client: ApiClient, batchId: string): Promise<Array<{ batch_item_id: string; customer_item_id: string; status: string; attempts: number }>> {
  const out = []
  let cursor: string | null = null
  do {
    const res: { status: number; body: any } = await client.get(`/v1/batches/${batchId}/results?limit=1000${cursor ? `&cursor=${cursor}` : ''}`)
    expect(res.status).toBe(200)
    out.push(...res.body.results)
    cursor = res.body.next_cursor
  } while (cursor)
  return out
}

async function ledgerFor(client: ApiClient, batchId: string): Promise<Array<{ kind: string; amount: string; reference: string }>> {
  const res = await client.get('/v1/auth/account/ledger?limit=100')
  expect(res.status).toBe(200)
  return (res.body.data as Array<{ kind: string; amount: string; reference: string; batch_id: string | null }>).filter((e) => e.batch_id === batchId)
}

/** Items of the batch left `running` in the data dir (read while no router runs). */
function runningItems(dataDir: string, batchId: string): number {
  const db = new Database(join(dataDir, 'router.db'), { readonly: true })
  try {
    return (db.query("SELECT count(*) AS n FROM items WHERE batch_id = ? AND status = 'running'").get(batchId) as { n: number }).n
  } finally {
    db.close()
  }
}

/** Asserts the batch finished with every item completed once; returns the results. */
async function expectAllCompletedOnce(client: ApiClient, batchId: string, tag: string) {
  const results = await allResults(client, batchId)
  expect(results).toHaveLength(ITEMS)
  expect(new Set(results.map((r) => r.batch_item_id)).size).toBe(ITEMS)
  expect(new Set(results.map((r) => r.customer_item_id))).toEqual(new Set(Array.from({ length: ITEMS }, (_, i) => `${tag}-${i}`)))
  expect(results.filter((r) => r.status !== 'completed')).toEqual([])
  return results
}

/** Billed once: one reservation, one charge, at most one release. */
async function expectBilledOnce(client: ApiClient, batchId: string) {
  const entries = await ledgerFor(client, batchId)
  const kinds = entries.map((e) => e.kind)
  expect(kinds.filter((k) => k === 'reserve')).toHaveLength(1)
  expect(kinds.filter((k) => k === 'charge')).toHaveLength(1)
  expect(kinds.filter((k) => k === 'release').length).toBeLessThanOrEqual(1)
  expect(kinds.filter((k) => !['reserve', 'charge', 'release'].includes(k))).toEqual([])
  const account = await client.get('/v1/auth/account')
  expect(account.body.reserved_balance).toBe('0.000000')
}

describe('restart mid-batch (real processes)', () => {
  test('SIGTERM drains in-flight calls; after a restart every item ran exactly once', async () => {
    const dataDir = join(root, 'graceful')
    const first = await start(dataDir)
    const client = await registerOrg(first.url)
    const batchId = await createBatch(client, 'graceful')
    const before = await waitMidFlight(client, batchId)

    const code = await first.stop('SIGTERM', 15_000)
    expect(code).toBe(0)
    // A drained stop records every call it started: nothing is left running to be re-sent.
    expect(runningItems(dataDir, batchId)).toBe(0)

    const second = await start(dataDir)
    const again = apiClient(second.url, client.key, client.orgId)
    await waitCompleted(again, batchId)

    const results = await expectAllCompletedOnce(again, batchId, 'graceful')
    const stats = await sim.stats()
    const sent = results.map((r) => stats.by_custom_id[r.batch_item_id] ?? 0)
    expect(sent.filter((n) => n !== 1)).toEqual([])
    expect(Object.keys(stats.by_custom_id)).toHaveLength(ITEMS)
    expect(results.every((r) => r.attempts === 1)).toBe(true)
    await expectBilledOnce(again, batchId)
    expect(before.completed).toBeGreaterThan(0)
    await second.stop('SIGTERM')
  })

  test('SIGKILL mid-batch: nothing lost, re-sends bounded by the calls in flight, billed once', async () => {
    const dataDir = join(root, 'killed')
    const first = await start(dataDir)
    const client = await registerOrg(first.url)
    const batchId = await createBatch(client, 'killed')
    await waitMidFlight(client, batchId)

    first.kill('SIGKILL')
    expect(await first.exited).toBe(137)
    const inFlightAtKill = runningItems(dataDir, batchId)

    const second = await start(dataDir)
    const again = apiClient(second.url, client.key, client.orgId)
    await waitCompleted(again, batchId)

    const results = await expectAllCompletedOnce(again, batchId, 'killed')
    const stats = await sim.stats()
    const sent = results.map((r) => stats.by_custom_id[r.batch_item_id] ?? 0)
    const duplicates = sent.filter((n) => n === 2).length
    console.log(`SIGKILL restart: ${inFlightAtKill} items running at the kill, ${duplicates} sent twice`)
    expect(sent.every((n) => n === 1 || n === 2)).toBe(true)
    expect(Object.keys(stats.by_custom_id)).toHaveLength(ITEMS)
    expect(duplicates).toBeLessThanOrEqual(inFlightAtKill)
    // The dispatcher pipelines (src/jobs/dispatch-items.ts, CLAIM_GROUPS): up to `concurrency`
    // calls in flight plus one group of `concurrency` claimed beside them — ready to send, or sent
    // with its outcome buffered for the next commit — so the provider is not idle while outcomes
    // are fsynced. What a kill can re-send is what was sent but not yet committed: the calls in
    // flight plus at most one flush group, i.e. 2 × concurrency (and never more than was running).
    expect(duplicates).toBeLessThanOrEqual(2 * CONCURRENCY)
    await expectBilledOnce(again, batchId)
    await second.stop('SIGTERM')
  })

  test('a second copy on the same data dir refuses to start, naming the data dir and the pid, and touches nothing', async () => {
    const dataDir = join(root, 'two-copies')
    const first = await start(dataDir)
    mkdirSync(join(dataDir, 'tmp'), { recursive: true })
    const marker = join(dataDir, 'tmp', 'upload-in-progress.part')
    writeFileSync(marker, 'partial upload of the running copy')

    const second = await startServerProcess({ dataDir, config: serverConfig(), configPath: join(root, 'two-copies-second.json'), waitReady: false })
    servers.push(second)
    const code = await waitFor('the second copy to exit', () => (second.proc.exitCode !== null ? second.exited : null), { timeoutMs: 15_000 })
    expect(code).not.toBe(0)
    expect(second.stderr()).toContain(dataDir)
    expect(second.stderr()).toContain(`pid ${first.pid}`)
    expect(second.stderr()).not.toContain('at acquireInstanceLock')
    // The running copy keeps its lock, its temp files and its readiness.
    expect(existsSync(marker)).toBe(true)
    expect(existsSync(join(dataDir, 'router.pid'))).toBe(true)
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200)
    await first.stop('SIGTERM')
  })
})
