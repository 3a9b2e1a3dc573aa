/**
 * The fleet's throughput against its bare limit, in one run (issue 12).
 *
 * Processes: two standalone simulators (`bun src/main.ts sim`, latency 0) as the nodes'
 * OpenAI-compatible upstreams, the router (`bun src/main.ts serve`) and two edge nodes
 * (`bun src/main.ts edge --concurrency C`, each in front of its own simulator), all on loopback.
 *
 * 1. bare: this process sends N chat requests straight to the two simulators (half each) with
 *    2 × C workers — what the upstreams can take without the fleet.
 * 2. fleet: N restricted chat items as one batch (POST /v1/batches), timed from the create request
 *    to the batch's own `completed_at`: router → leases (up to C items each) → nodes → upstreams →
 *    results → router.
 * 3. lease round trip: this process joins as a third node and times POST /v1/fleet/leases for 100
 *    items and the POST of their 100 results, over R rounds (p50 / p99).
 *
 *   bun bench/fleet.ts [items=20000] [concurrency=100] [rounds=50]
 */
import { join } from 'node:path'
import { emitFigure, ratioFigure } from './figures'
import { runCliPiped } from '../test/helpers/cli-run'
import { registerOrg, removeDir, startEdgeProcess, startServerProcess, startSimProcess, tempDir, waitFor, type EdgeProcess } from '../test/helpers/process'

const N = Number(process.argv[2] ?? 20_000)
const C = Number(process.argv[3] ?? 100)
const ROUNDS = Number(process.argv[4] ?? 50)
const MODEL = 'llama-3.1-8b-instruct'
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })
const body = (i: number) => ({ model: MODEL, messages: [{ role: 'user', content: `Reply with one word about item ${i}.` }], max_tokens: 8 })

async function bare(urls: string[], n: number, workers: number): Promise<number> {
  let next = 0
  const worker = async (w: number) => {
    const url = urls[w % urls.length]!
    for (let i = next++; i < n; i = next++) {
      const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-batchrouter-item-id': `bare-${i}` }, body: JSON.stringify(body(i)) })
      const parsed = JSON.parse(await res.text()) as { choices?: unknown[] }
      if (res.status !== 200 || !parsed.choices) throw new Error(`bare request ${i}: HTTP ${res.status}`)
    }
  }
  const t0 = performance.now()
  await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)))
  return (performance.now() - t0) / 1000
}

/** Uploads chat bodies as a JSONL file and creates a restricted batch from it; t0 is just before the create. */
async function createFromFile(url: string, key: string, bodies: unknown[]): Promise<{ body: { id: string }; t0: number }> {
  const bytes = Buffer.from(bodies.map((b, i) => JSON.stringify({ custom_id: `r-${i}`, method: 'POST', url: '/v1/chat/completions', body: b })).join('\n') + '\n')
  const up = await fetch(`${url}/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/jsonl', 'content-length': String(bytes.length), 'x-batchrouter-purpose': 'batch', 'x-batchrouter-filename': 'fleet-bench.jsonl' }, body: bytes })
  if (up.status !== 200) throw new Error(`upload: ${up.status} ${await up.text()}`)
  const fileId = ((await up.json()) as { id: string }).id
  const t0 = Date.now()
  const res = await fetch(`${url}/v1/batches`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() }, body: JSON.stringify({ input_file_id: fileId, endpoint: '/v1/chat/completions', completion_window: '24h', privacy_tier: 'restricted' }) })
  const created = (await res.json()) as { id: string }
  if (res.status !== 202) throw new Error(`create: ${res.status} ${JSON.stringify(created)}`)
  return { body: created, t0 }
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

const root = tempDir('br-bench-fleet-')
const sims = await Promise.all([startSimProcess(), startSimProcess(), startSimProcess()])
const nodes: EdgeProcess[] = []
let server: Awaited<ReturnType<typeof startServerProcess>> | undefined
try {
  for (const s of sims) await s.scenario({ global: { latency_ms: 0 } })
  const catalog = { providers: [{ id: 'openhost', kind: 'openai-compatible', base_url: `${sims[2]!.url}/v1`, api_key_env: '' }] }
  server = await startServerProcess({ dataDir: join(root, 'data'), configPath: join(root, 'config.json'), bunArgs: process.env.BENCH_PROFILE ? ['--cpu-prof-md', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [], config: { tickMs: 10, startingCredit: '1000.00', logLevel: 'warn', fleet: { heartbeatSeconds: 2, leaseSeconds: 60, itemsPerSlot: 1000 }, catalog } })
  const mint = async () => JSON.parse((await runCliPiped(['fleet', 'token', 'create', '--trust', 'restricted', '--region', 'bench', '--data-dir', server!.dataDir, '--json'])).stdout).join_token as string
  for (const [i, s] of sims.slice(0, 2).entries()) nodes.push(await startEdgeProcess({ router: server.url, upstream: `${s.url}/v1`, joinToken: await mint(), dataDir: join(root, `node-${i}`), name: `bench-${i}`, concurrency: C, models: MODEL }))
  const client = await registerOrg(server.url)
  const upstreams = sims.slice(0, 2).map((s) => s.url)

  await bare(upstreams, 2000, 2 * C) // warm-up
  const bareS = await bare(upstreams, N, 2 * C)
  const bareRate = N / bareS

  for (const s of sims) await s.reset()
  const created = await createFromFile(server.url, client.key, Array.from({ length: N }, (_, i) => body(i)))
  const t0 = created.t0
  const done = await waitFor('the batch to complete', async () => {
    const b = await client.get(`/v1/batches/${created.body.id}`)
    if (['failed', 'cancelled', 'expired'].includes(b.body.batch.status)) throw new Error(`batch ended ${b.body.batch.status}`)
    return b.body.batch.status === 'completed' ? b.body.batch : null
  }, { timeoutMs: 900_000, everyMs: 500 })
  const fleetS = (Date.parse(done.completed_at) - t0) / 1000
  const fleetRate = N / fleetS
  // The dispatch window alone: first item done to the last, from the items' own completed_at.
  let first = Infinity
  let last = 0
  let cursor: string | null = null
  do {
    const page: { body: any } = await client.get(`/v1/batches/${created.body.id}/results?limit=1000${cursor ? `&cursor=${cursor}` : ''}`)
    for (const r of page.body.results as Array<{ completed_at: string }>) {
      first = Math.min(first, Date.parse(r.completed_at))
      last = Math.max(last, Date.parse(r.completed_at))
    }
    cursor = page.body.next_cursor
  } while (cursor)
  const windowS = (last - first) / 1000
  const [a, b] = await Promise.all([sims[0]!.stats(), sims[1]!.stats()])
  const nodeMetrics = await Promise.all(nodes.map(async (n) => {
    const text = await (await fetch(`${n.healthUrl}/metrics`)).text()
    const metric = (name: string) => Number(new RegExp(`^${name} ([\\d.]+)`, 'm').exec(text)?.[1] ?? 0)
    return { leases: metric('batchrouter_edge_leases_total'), items: metric('batchrouter_edge_leased_items_total'), posts: metric('batchrouter_edge_result_posts_total'), errors: metric('batchrouter_edge_router_errors_total'), leaseS: metric('batchrouter_edge_lease_seconds_total'), postS: metric('batchrouter_edge_result_post_seconds_total') }
  }))

  // 3. lease round trip as a third node, 100 items per lease.
  const joinToken = await mint()
  const joined = await (await fetch(`${server.url}/v1/fleet/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ join_token: joinToken, node: { name: 'bench-probe', version: 'bench', offerings: [{ model: 'probe-model', operations: ['responses'] }], capacity: { concurrent_items: 100 } } }) })).json() as { node_token: string }
  const auth = { authorization: `Bearer ${joined.node_token}`, 'content-type': 'application/json' }
  await createFromFile(server.url, client.key, Array.from({ length: 100 * ROUNDS }, (_, i) => ({ model: 'probe-model', messages: [{ role: 'user', content: `p ${i}` }], max_tokens: 4 })))
  const leaseMs: number[] = []
  const resultsMs: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    let t = performance.now()
    const lease = await (await fetch(`${server.url}/v1/fleet/leases`, { method: 'POST', headers: auth, body: JSON.stringify({ max_items: 100, wait_seconds: 30 }) })).json() as { lease_id: string; items: Array<{ item_id: string; attempt: number }> }
    leaseMs.push(performance.now() - t)
    const results = lease.items.map((i) => ({ item_id: i.item_id, attempt: i.attempt, status: 'completed', response: { id: 'x', object: 'chat.completion', created: 1, model: 'probe-model', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } } }))
    t = performance.now()
    const posted = await fetch(`${server.url}/v1/fleet/leases/${lease.lease_id}/results`, { method: 'POST', headers: auth, body: JSON.stringify({ results }) })
    await posted.text()
    resultsMs.push(performance.now() - t)
    if (lease.items.length !== 100) throw new Error(`round ${r}: leased ${lease.items.length} items, not 100`)
  }
  leaseMs.sort((x, y) => x - y)
  resultsMs.sort((x, y) => x - y)

  console.log(`command: bun bench/fleet.ts ${N} ${C} ${ROUNDS}  (router, 2 edge nodes and 3 simulators = child processes on loopback; upstream latency 0; tickMs 10)`)
  console.log(`items: ${fmt(N)}; each node concurrency ${C} (leases of up to ${C}); bare uses ${2 * C} workers over the same two upstreams`)
  console.log(`bare fan-out:        ${fmt(bareS, 2)} s  ${fmt(bareRate)} req/s`)
  console.log(`fleet create→done:   ${fmt(fleetS, 2)} s  ${fmt(fleetRate)} items/s  (node 0 upstream ${a.total}, node 1 upstream ${b.total}; ${done.counts.completed} completed, ${done.counts.failed} failed)`)
  console.log(`  dispatch window:   ${fmt(windowS, 2)} s  ${fmt(N / windowS)} items/s from the first item done to the last = ${fmt((N / windowS / bareRate) * 100, 1)} % of bare (first item done ${fmt((first - t0) / 1000, 2)} s after the create request)`)
  for (const [i, m] of nodeMetrics.entries()) console.log(`  node ${i}: ${m.leases} leases (${fmt(m.items / Math.max(1, m.leases), 1)} items each), ${m.posts} result posts, ${m.errors} router errors; ${fmt(m.leaseS, 2)} s waiting on lease answers, ${fmt(m.postS, 2)} s pushing results`)
  console.log(`lease round trip (100 items):   p50 ${fmt(pct(leaseMs, 50), 1)} ms  p99 ${fmt(pct(leaseMs, 99), 1)} ms  (${ROUNDS} leases)`)
  console.log(`results post (100 results):     p50 ${fmt(pct(resultsMs, 50), 1)} ms  p99 ${fmt(pct(resultsMs, 99), 1)} ms`)
  console.log(`ratio fleet/bare:    ${fmt((fleetRate / bareRate) * 100, 1)} %  (target ≥ 40 %)`)
  emitFigure(ratioFigure('fleet', 'items/s router → 2 nodes / bare fan-out (leases of 100)', [(fleetRate / bareRate) * 100], '%', { min: 40 }))
  emitFigure({ bench: 'fleet', measure: 'lease round trip p50 (100 items)', value: pct(leaseMs, 50), unit: 'ms', runs: [pct(leaseMs, 50)] })
  emitFigure({ bench: 'fleet', measure: 'lease round trip p99 (100 items)', value: pct(leaseMs, 99), unit: 'ms', runs: [pct(leaseMs, 99)] })
} finally {
  await Promise.all(nodes.map((n) => n.stop('SIGTERM')))
  await server?.stop('SIGTERM')
  await Promise.all(sims.map((s) => s.stop('SIGTERM')))
  removeDir(root)
}
