/**
 * The fleet with real processes on loopback (contract §11): a router (`batchrouter serve`), edge
 * nodes (`batchrouter edge`) each in front of its own simulator acting as the OpenAI-compatible
 * model server, and a simulator as the public provider. Join tokens are minted with the CLI as an
 * operator would. Checks: a restricted batch waits until a restricted node is online, then runs
 * only there; a hybrid batch fills the edge lanes and spills the rest to the public lane; a
 * 1,000-item batch survives one node's SIGKILL with every item settled once, billed once, and the
 * re-sent items bounded by what the dead node held (printed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { join } from 'node:path'
import { runCliPiped } from '../helpers/cli-run'
import { apiClient, registerOrg, removeDir, startEdgeProcess, startServerProcess, startSimProcess, tempDir, waitFor, type ApiClient, type EdgeProcess, type ServerProcess, type SimProcess } from '../helpers/process'

const LLAMA = 'llama-3.1-8b-instruct'
const children: Array<{ stop(signal?: NodeJS.Signals): Promise<number> }> = []
let root: string

beforeAll(() => {
  root = tempDir('br-fleet-e2e-')
})
afterAll(async () => {
  await Promise.all(children.map((c) => c.stop('SIGKILL')))
  removeDir(root)
})

async function sim(): Promise<SimProcess> {
  const s = await startSimProcess()
  children.push(s)
  return s
}

/** A router whose public lane is `publicSim`; edge lanes priced at $1 per 1M tokens (operator config), so settlement charges something. */
async function router(name: string, publicSim: SimProcess, itemsPerSlot: number): Promise<ServerProcess> {
  const catalog = { providers: [{ id: 'openhost', kind: 'openai-compatible', base_url: `${publicSim.url}/v1`, api_key_env: '' }] }
  const fleet = { heartbeatSeconds: 1, leaseSeconds: 10, itemsPerSlot, inputPer1m: '1.00', outputPer1m: '1.00' }
  const server = await startServerProcess({ dataDir: join(root, name), config: { tickMs: 50, startingCredit: '100.00', fleet, catalog } })
  children.push(server)
  return server
}

/** Mints a join token on the router's data dir with the CLI, as the README shows. */
async function mint(server: ServerProcess, trust: 'standard' | 'restricted'): Promise<string> {
  const out = await runCliPiped(['fleet', 'token', 'create', '--trust', trust, '--region', 'eu-west-1', '--ttl', '1h', '--data-dir', server.dataDir, '--json'])
  expect(out.code).toBe(0)
  return JSON.parse(out.stdout).join_token
}

async function adminClient(server: ServerProcess): Promise<ApiClient> {
  const out = await runCliPiped(['keys', 'create', '--admin', '--data-dir', server.dataDir, '--json'])
  return apiClient(server.url, JSON.parse(out.stdout).api_key)
}

async function edge(server: ServerProcess, upstream: SimProcess, trust: 'standard' | 'restricted', name: string, concurrency: number): Promise<EdgeProcess> {
  const node = await startEdgeProcess({ router: server.url, upstream: `${upstream.url}/v1`, joinToken: await mint(server, trust), dataDir: join(root, `${name}-data`), name, concurrency, models: LLAMA })
  children.push(node)
  return node
}

function items(n: number, tag: string) {
  return Array.from({ length: n }, (_, i) => ({ customer_item_id: `${tag}-${i}`, operation: 'responses', model: LLAMA, input: { messages: [{ role: 'user', content: `Item ${i}` }], max_tokens: 8 } }))
}

async function allResults(client: ApiClient, batchId: string): Promise<any[]> {
  const out: any[] = []
  let cursor: string | null = null
  do {
    const res: { status: number; body: any } = await client.get(`/v1/batches/${batchId}/results?limit=1000${cursor ? `&cursor=${cursor}` : ''}`)
    out.push(...res.body.results)
    cursor = res.body.next_cursor
  } while (cursor)
  return out
}

const finished = (client: ApiClient, batchId: string, timeoutMs = 60_000) =>
  waitFor(`batch ${batchId} to finish`, async () => {
    const res = await client.get(`/v1/batches/${batchId}`)
    return ['completed', 'failed', 'expired', 'cancelled'].includes(res.body.batch?.status) ? res.body.batch : null
  }, { timeoutMs, everyMs: 100 })

describe('router + a restricted and a standard edge node (real processes)', () => {
  let publicSim: SimProcess
  let simR: SimProcess
  let simS: SimProcess
  let server: ServerProcess
  let client: ApiClient
  let admin: ApiClient
  let std: EdgeProcess
  let rst: EdgeProcess

  beforeAll(async () => {
    ;[publicSim, simR, simS] = await Promise.all([sim(), sim(), sim()])
    server = await router('router-a', publicSim, 10)
    client = await registerOrg(server.url)
    admin = await adminClient(server)
  }, 60_000)

  it('lets a restricted batch wait until a restricted node is online, then runs it only there', async () => {
    const created = await client.post('/v1/batches', { items: items(6, 'r'), privacy_tier: 'restricted' }, { 'idempotency-key': 'fleet-e2e-restricted' })
    expect(created.status).toBe(202)
    std = await edge(server, simS, 'standard', 'std-node', 2)
    await waitFor('the batch to wait queued', async () => (await client.get(`/v1/batches/${created.body.id}`)).body.batch.status === 'queued')
    expect((await simS.stats()).total).toBe(0)
    rst = await edge(server, simR, 'restricted', 'rst-node', 4)
    const batch = await finished(client, created.body.id)
    expect(batch.status).toBe('completed')
    const nodes = (await admin.get('/v1/admin/fleet/nodes')).body.data
    const rstId = nodes.find((n: any) => n.name === 'rst-node').node_id
    const results = await allResults(client, created.body.id)
    expect(results.map((r) => [r.status, r.provider, r.node_id])).toEqual(Array(6).fill(['completed', 'edge', rstId]))
    expect((await simS.stats()).total).toBe(0)
    expect((await simR.stats()).total).toBe(6)
    expect(nodes.find((n: any) => n.name === 'rst-node')).toMatchObject({ status: 'online', trust_tier: 'restricted', completed_items: 6 })
  }, 90_000)

  it('spills a hybrid batch from the edge lanes to the public lane', async () => {
    // Edge capacity: (4 + 2) slots × 10 items per slot = 60 of the 100 items; the rest goes public.
    const created = await client.post('/v1/batches', { items: items(100, 'h'), routing_mode: 'hybrid' }, { 'idempotency-key': 'fleet-e2e-hybrid' })
    expect(created.status).toBe(202)
    expect((await finished(client, created.body.id)).status).toBe('completed')
    const results = await allResults(client, created.body.id)
    const byProvider = Map.groupBy(results, (r) => r.provider)
    expect(byProvider.get('edge')?.length).toBe(60)
    expect(byProvider.get('openhost')?.length).toBe(40)
    expect((await publicSim.stats()).total).toBe(40)
    const receipt = await client.get(`/v1/batches/${created.body.id}/receipt`)
    expect(receipt.body.lanes.filter((l: any) => l.provider === 'edge').flatMap((l: any) => l.node_ids).length).toBeGreaterThan(0)
  }, 90_000)

  it('stops an edge node cleanly on SIGTERM and its restart does not join again', async () => {
    expect(await std.stop('SIGTERM')).toBe(0)
    const again = await startEdgeProcess({ router: server.url, upstream: `${simS.url}/v1`, dataDir: std.dataDir, name: 'std-node', concurrency: 2, models: LLAMA })
    children.push(again)
    const nodes = (await admin.get('/v1/admin/fleet/nodes')).body.data.filter((n: any) => n.name === 'std-node')
    expect(nodes).toHaveLength(1)
    const metrics = await (await fetch(`${again.healthUrl}/metrics`)).text()
    expect(metrics).toContain('batchrouter_edge_router_up 1')
  }, 60_000)
})

describe('a 1,000-item batch while one node is killed (real processes)', () => {
  it('settles every item once, bills once, and re-sends at most what the dead node held', async () => {
    const [publicSim, simA, simB] = await Promise.all([sim(), sim(), sim()])
    await simA.scenario({ global: { latency_ms: 20 } })
    await simB.scenario({ global: { latency_ms: 20 } })
    const server = await router('router-b', publicSim, 1000)
    const client = await registerOrg(server.url)
    const admin = await adminClient(server)
    const a = await edge(server, simA, 'restricted', 'node-a', 8)
    const b = await edge(server, simB, 'restricted', 'node-b', 8)
    const created = await client.post('/v1/batches', { items: items(1000, 'k'), privacy_tier: 'restricted' }, { 'idempotency-key': 'fleet-e2e-kill' })
    expect(created.status).toBe(202)
    await waitFor('node-a to have sent 100 items', async () => (await simA.stats()).total >= 100, { timeoutMs: 30_000 })
    a.kill('SIGKILL')
    await a.exited
    const nodes = (await admin.get('/v1/admin/fleet/nodes')).body.data
    const aId = nodes.find((n: any) => n.name === 'node-a').node_id
    const held = ((await admin.get(`/v1/admin/fleet/nodes/${aId}`)).body.active_leases as Array<{ items: number }>).reduce((n, l) => n + l.items, 0)
    const batch = await finished(client, created.body.id, 120_000)
    expect(batch.status).toBe('completed')
    const results = await allResults(client, created.body.id)
    expect(results).toHaveLength(1000)
    expect(new Set(results.map((r) => r.batch_item_id)).size).toBe(1000)
    expect(results.filter((r) => r.status !== 'completed')).toEqual([])
    const [statsA, statsB] = await Promise.all([simA.stats(), simB.stats()])
    const sent = new Map<string, number>()
    for (const s of [statsA, statsB]) for (const [id, n] of Object.entries(s.by_custom_id)) sent.set(id, (sent.get(id) ?? 0) + n)
    const resent = [...sent.values()].filter((n) => n > 1).length
    console.log(`fleet kill: node-a sent ${statsA.total}, node-b ${statsB.total}; node-a held ${held} items when killed; ${resent} items were sent twice`)
    expect(resent).toBeLessThanOrEqual(held)
    const ledger = (await client.get('/v1/auth/account/ledger?limit=100')).body.data.filter((e: any) => e.batch_id === created.body.id).map((e: any) => e.kind)
    expect(ledger.filter((k: string) => k === 'charge')).toHaveLength(1)
    expect(ledger.filter((k: string) => k === 'reserve')).toHaveLength(1)
    expect(ledger.filter((k: string) => !['reserve', 'charge', 'release'].includes(k))).toEqual([])
    expect((await admin.get(`/v1/admin/fleet/nodes/${aId}`)).body.status).toBe('offline')
    void b
  }, 180_000)
})

describe('the router restarting and unreachable while a node holds leases (real processes)', () => {
  it('keeps the node\'s leases across a restart, the node backs off while the router is down and resumes, every item settles once', async () => {
    const [publicSim, upstream] = await Promise.all([sim(), sim()])
    await upstream.scenario({ global: { latency_ms: 300 } })
    const first = await router('router-c', publicSim, 1000)
    const client = await registerOrg(first.url)
    const node = await edge(first, upstream, 'restricted', 'node-c', 8)
    const created = await client.post('/v1/batches', { items: items(40, 'u'), privacy_tier: 'restricted' }, { 'idempotency-key': 'fleet-e2e-restart' })
    expect(created.status).toBe(202)
    await waitFor('the node to be working', async () => (await upstream.stats()).total >= 4, { timeoutMs: 30_000 })
    expect(await first.stop('SIGTERM')).toBe(0)
    // The router is gone: the node reports it (readyz 503) and keeps backing off.
    await waitFor('the node to notice', async () => (await fetch(`${node.healthUrl}/readyz`)).status === 503, { timeoutMs: 20_000 })
    await Bun.sleep(2_000)
    const again = await startServerProcess({ dataDir: first.dataDir, port: first.port, configPath: first.configPath })
    children.push(again)
    await waitFor('the node to be ready again', async () => (await fetch(`${node.healthUrl}/readyz`)).status === 200, { timeoutMs: 30_000 })
    const batch = await finished(client, created.body.id, 90_000)
    expect(batch.status).toBe('completed')
    const results = await allResults(client, created.body.id)
    expect(results).toHaveLength(40)
    expect(new Set(results.map((r) => r.batch_item_id)).size).toBe(40)
    expect(results.every((r) => r.status === 'completed')).toBe(true)
    const metrics = await (await fetch(`${node.healthUrl}/metrics`)).text()
    expect(Number(/batchrouter_edge_router_errors_total (\d+)/.exec(metrics)?.[1])).toBeGreaterThan(0)
    const sent = Object.values((await upstream.stats()).by_custom_id)
    console.log(`fleet restart: ${sent.length} items sent upstream, ${sent.filter((n) => n > 1).length} sent twice across the router restart`)
  }, 180_000)
})
