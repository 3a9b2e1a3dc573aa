/**
 * `serve` with its jobs in the jobs worker (config `jobs.thread: "worker"`, the default), as a
 * real process against a standalone simulator: a batch created over HTTP completes with every
 * item sent once, a cancel reaches calls in flight in the worker, /metrics shows the worker's job
 * passes and provider outcomes, and SIGTERM drains the worker and exits 0. (Resuming after
 * SIGKILL and after a drained stop, in the same mode: restart.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { openaiToSim, registerOrg, removeDir, startServerProcess, startSimProcess, tempDir, waitFor, type ApiClient, type ServerProcess, type SimProcess } from '../helpers/process'

let sim: SimProcess
let server: ServerProcess
let client: ApiClient
let root: string

beforeAll(async () => {
  sim = await startSimProcess()
  root = tempDir('br-e2e-jobs-worker-')
  server = await startServerProcess({ dataDir: `${root}/data`, config: { jobs: { thread: 'worker' }, tickMs: 50, logLevel: 'info', startingCredit: '100.00', catalog: openaiToSim(sim.url) } })
  client = await registerOrg(server.url)
})

afterAll(async () => {
  await server?.stop('SIGKILL')
  await sim?.stop('SIGKILL')
  if (root) removeDir(root)
})

function items(tag: string, n: number) {
  return Array.from({ length: n }, (_, i) => ({ customer_item_id: `${tag}-${i}`, operation: 'responses', model: 'gpt-4o-mini', input: { messages: [{ role: 'user', content: `Say ${tag} ${i}.` }], max_tokens: 8 } }))
}

async function create(tag: string, n: number): Promise<string> {
  const res = await client.post('/v1/batches', { items: items(tag, n) }, { 'idempotency-key': `jobs-worker-${tag}-0001` })
  expect(res.status).toBe(202)
  return res.body.id as string
}

async function batchOf(id: string): Promise<{ status: string; counts: Record<string, number> }> {
  const res = await client.get(`/v1/batches/${id}`)
  expect(res.status).toBe(200)
  return res.body.batch
}

const terminal = (status: string) => ['completed', 'failed', 'cancelled', 'expired'].includes(status)

describe('serve with jobs in the worker (real process)', () => {
  test('says where its jobs run', () => {
    expect(server.stdout()).toContain('"msg":"jobs worker started"')
  })

  test('a batch completes through the simulator, every item sent once; /metrics shows the worker’s work', async () => {
    await sim.reset()
    const id = await create('done', 40)
    const batch = await waitFor('the batch to finish', async () => {
      const b = await batchOf(id)
      return terminal(b.status) ? b : null
    }, { timeoutMs: 30_000, everyMs: 50 })
    expect(batch.status).toBe('completed')
    expect(batch.counts.completed).toBe(40)
    const stats = await sim.stats()
    expect(Object.keys(stats.by_custom_id)).toHaveLength(40)
    expect(Object.values(stats.by_custom_id).every((n) => n === 1)).toBe(true)

    const metrics = await (await fetch(`${server.url}/metrics`)).text()
    expect(metrics).toMatch(/batchrouter_job_passes_total\{job="finalize-batches"\} [1-9]/)
    expect(metrics).toMatch(/batchrouter_provider_outcomes_total\{provider="openai",kind="ok"\} 40/)
  })

  test('cancel aborts the calls in flight in the worker; the batch ends cancelled', async () => {
    await sim.reset()
    // Calls that would take a minute: only an abort in the worker ends the batch in time.
    await sim.scenario({ global: { latency_ms: 60_000 } })
    const id = await create('cancel', 5)
    await waitFor('calls in flight', async () => (await batchOf(id)).counts.running === 5, { timeoutMs: 15_000 })
    const res = await client.post(`/v1/batches/${id}/cancel`)
    expect(res.status).toBe(200)
    const batch = await waitFor('the batch to end', async () => {
      const b = await batchOf(id)
      return terminal(b.status) ? b : null
    }, { timeoutMs: 15_000, everyMs: 50 })
    expect(batch.status).toBe('cancelled')
    expect(batch.counts.cancelled).toBe(5)
    await sim.scenario({ global: { latency_ms: 0 } })
  })

  test('SIGTERM drains the worker and exits 0', async () => {
    expect(await server.stop('SIGTERM', 15_000)).toBe(0)
    expect(server.stdout()).toContain('"msg":"draining"')
  })
})
