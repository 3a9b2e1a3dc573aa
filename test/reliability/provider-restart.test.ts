/**
 * Provider-batch lanes across restarts, with real processes: a mixed batch over a request lane
 * and both provider-batch dialects (OpenAI Batch, Anthropic Message Batches) on a standalone
 * simulator. (1) The router is killed with SIGKILL while its provider jobs run and started again
 * on the same data dir: the jobs are followed where they were, nothing is sent again for them,
 * and 0 items fail. (2) The router is killed AND the simulator — which keeps its jobs in memory
 * here — is restarted on the same port, so every provider job is lost: the items are sent again
 * to the same offerings, 0 fail, and no provider's circuit counts a failure.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { apiClient, registerOrg, removeDir, startSimProcess, tempDir, waitFor, type ServerProcess, type SimProcess } from '../helpers/process'
import { countRows, createMixedBatch, expectReconciled, startRouter, waitTerminal } from './harness'

const ITEMS = 300
let root: string
const children: Array<{ stop(signal?: NodeJS.Signals): Promise<number> }> = []

beforeAll(() => {
  root = tempDir('br-reliability-provider-')
})
afterAll(async () => {
  await Promise.all(children.map((c) => c.stop('SIGKILL')))
  removeDir(root)
})

async function sim(opts: { port?: number; dataDir?: string } = {}): Promise<SimProcess> {
  const s = await startSimProcess(opts)
  children.push(s)
  // Long enough that the kill lands while the provider jobs run.
  await s.scenario({ global: { turnaround_s: 4, latency_ms: 5 } })
  return s
}

async function router(dataDir: string, simUrl: string, port?: number): Promise<ServerProcess> {
  const r = await startRouter(dataDir, simUrl, port)
  children.push(r)
  return r
}

/** Waits until both dialects have a provider job running remotely. */
async function jobsRunning(dataDir: string): Promise<void> {
  await waitFor('provider jobs running on both dialects', () => countRows(dataDir, "SELECT count(DISTINCT kind) AS n FROM provider_jobs WHERE status = 'running'") === 2, { timeoutMs: 30_000, everyMs: 20 })
}

describe('provider-batch lanes across restarts (real processes)', () => {
  test('router killed while provider jobs run: they are followed after the restart, nothing re-sent, 0 failed', async () => {
    const provider = await sim({ dataDir: join(root, 'sim-kept') })
    const dataDir = join(root, 'kept')
    const first = await router(dataDir, provider.url)
    const client = await registerOrg(first.url)
    const batchId = await createMixedBatch(client, ITEMS, 'kept')
    await jobsRunning(dataDir)
    first.kill('SIGKILL')
    expect(await first.exited).toBe(137)

    const second = await router(dataDir, provider.url, first.port)
    const again = apiClient(second.url, client.key, client.orgId)
    expect(await waitTerminal(again, [batchId], 60_000)).toEqual(['completed'])
    const figures = await expectReconciled(again, dataDir, [{ id: batchId, n: ITEMS, tag: 'kept' }])
    await second.stop('SIGTERM')
    console.log(`router SIGKILL during provider jobs: ${JSON.stringify(figures)}`)
    expect(figures).toMatchObject({ items: ITEMS, completed: ITEMS, failed: 0, lostJobs: 0 })
    expect(countRows(dataDir, "SELECT count(*) AS n FROM provider_jobs WHERE status <> 'ended'")).toBe(0)
    // The provider-batch items ran once: their jobs were followed, not created again.
    expect(countRows(dataDir, "SELECT count(*) AS n FROM items WHERE provider_job_id IS NOT NULL AND attempts <> 1")).toBe(0)
  })

  test('router killed and the provider restarted without its jobs: the items are sent again to the same offerings, 0 failed, circuits untouched', async () => {
    let provider = await sim()
    const dataDir = join(root, 'lost')
    const first = await router(dataDir, provider.url)
    const client = await registerOrg(first.url)
    const batchId = await createMixedBatch(client, ITEMS, 'lost')
    await jobsRunning(dataDir)
    first.kill('SIGKILL')
    expect(await first.exited).toBe(137)
    const port = Number(new URL(provider.url).port)
    await provider.stop('SIGKILL')
    provider = await sim({ port })

    const second = await router(dataDir, provider.url, first.port)
    const again = apiClient(second.url, client.key, client.orgId)
    expect(await waitTerminal(again, [batchId], 60_000)).toEqual(['completed'])
    const figures = await expectReconciled(again, dataDir, [{ id: batchId, n: ITEMS, tag: 'lost' }])
    await second.stop('SIGTERM')
    console.log(`router SIGKILL + provider restarted without its jobs: ${JSON.stringify(figures)}`)
    expect(figures).toMatchObject({ items: ITEMS, completed: ITEMS, failed: 0 })
    expect(figures.lostJobs).toBeGreaterThanOrEqual(2)
    // Every item moved off a lost job ran on the offering it was routed to.
    expect(countRows(dataDir, "SELECT count(*) AS n FROM items i JOIN provider_jobs j ON j.id = i.provider_job_id WHERE j.offering_id <> i.offering_id")).toBe(0)
  })
})
