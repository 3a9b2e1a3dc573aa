/**
 * Dispatch throughput against its bare limit, in one run.
 *
 * Processes: a standalone simulator (`bun src/main.ts sim`, latency 0) and the router as a child
 * process (`bun src/main.ts serve` with a config file: tickMs 10, `openai` → the simulator), so
 * the router's HTTP, SQLite and outbound fetches run in their own process as in production.
 *
 * 1. bare: this process sends N chat requests straight to the simulator's /v1/chat/completions
 *    with the offering's concurrency (32 workers, each awaiting its response and parsing it).
 * 2. router: N small chat items uploaded as a JSONL file (POST /v1/files raw body), a batch
 *    created from it (POST /v1/batches), timed from the create request to status `completed`.
 *
 * Prints both in items/s and their ratio (target ≥ 50 %).
 *
 *   bun bench/dispatch.ts [items=20000] [concurrency=32] [tickMs=10]
 *
 * (tickMs only paces the idle jobs — route, finalize, expire, rescue, webhooks, provider jobs:
 * dispatch itself claims the next items in the transaction that writes the last outcomes.)
 */
import { emitFigure, pct, ratioFigure } from './figures'
import { PORTKEY_VERSION, startPortkey } from './portkey'
import { openaiToSim, registerOrg, removeDir, startServerProcess, startSimProcess, tempDir, waitFor } from '../test/helpers/process'

const N = Number(process.argv[2] ?? 20_000)
const CONCURRENCY = Number(process.argv[3] ?? 32)
const TICK_MS = Number(process.argv[4] ?? 10)
const MODEL = 'gpt-4o-mini'
/** How often the bench polls the batch while it dispatches (a poller's pace; its latency is a target). */
const POLL_MS = 50

const body = (i: number) => ({ model: MODEL, messages: [{ role: 'user', content: `Reply with one word about item ${i}.` }], max_tokens: 8 })

/** N chat requests to `baseUrl`/v1/chat/completions from `concurrency` workers; seconds taken. */
async function fanOut(baseUrl: string, n: number, concurrency: number, headers: Record<string, string> = {}, label = 'bare'): Promise<number> {
  let next = 0
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      const res = await fetch(`${baseUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-batchrouter-item-id': `${label}-${i}`, ...headers },
        body: JSON.stringify(body(i)),
      })
      const parsed = JSON.parse(await res.text()) as { choices?: unknown[] }
      if (res.status !== 200 || !parsed.choices) throw new Error(`${label} request ${i}: HTTP ${res.status}`)
    }
  }
  const t0 = performance.now()
  await Promise.all(Array.from({ length: concurrency }, worker))
  return (performance.now() - t0) / 1000
}

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })

const root = tempDir('br-bench-dispatch-')
const sim = await startSimProcess()
let server: Awaited<ReturnType<typeof startServerProcess>> | undefined
try {
  await sim.scenario({ global: { latency_ms: 0 } })
  server = await startServerProcess({
    dataDir: `${root}/data`,
    configPath: `${root}/config.json`,
    // BENCH_PROFILE=DIR writes the router's CPU profile (markdown) to DIR when it stops.
    bunArgs: process.env.BENCH_PROFILE ? ['--cpu-prof-md', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [],
    config: { tickMs: TICK_MS, startingCredit: '1000.00', logLevel: 'warn', catalog: openaiToSim(sim.url) },
  })
  const client = await registerOrg(server.url)

  // Warm both paths a little (connections, JIT) before measuring.
  await fanOut(sim.url, 2000, CONCURRENCY)

  // 1. bare fan-out
  await sim.reset()
  const bareS = await fanOut(sim.url, N, CONCURRENCY)
  const bareStats = await sim.stats()
  const bareRate = N / bareS

  // 2. the router: upload, create, wait for completed
  await sim.reset()
  const jsonl = Array.from({ length: N }, (_, i) => JSON.stringify({ custom_id: `req-${i}`, method: 'POST', url: '/v1/chat/completions', body: body(i) })).join('\n') + '\n'
  const bytes = Buffer.from(jsonl)
  const up = await fetch(`${server.url}/v1/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${client.key}`, 'content-type': 'application/jsonl', 'content-length': String(bytes.length), 'x-batchrouter-purpose': 'batch', 'x-batchrouter-filename': 'dispatch-bench.jsonl' },
    body: bytes,
  })
  if (up.status !== 200) throw new Error(`upload: ${up.status} ${await up.text()}`)
  const fileId = ((await up.json()) as { id: string }).id

  const t0 = Date.now()
  const created = await client.post('/v1/batches', { input_file_id: fileId, endpoint: '/v1/chat/completions', completion_window: '24h' })
  if (created.status !== 202) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`)
  const createS = (Date.now() - t0) / 1000
  const batchId = created.body.id as string
  const pollMs: number[] = []
  const done = await waitFor(
    'the batch to complete',
    async () => {
      const t = performance.now()
      const b = await client.get(`/v1/batches/${batchId}`)
      pollMs.push(performance.now() - t)
      const status = b.body.batch.status as string
      if (['failed', 'cancelled', 'expired'].includes(status)) throw new Error(`batch ended ${status}`)
      return status === 'completed' ? b.body.batch : null
    },
    { timeoutMs: 600_000, everyMs: POLL_MS },
  )
  // Timings from the server's own stamps (ms), not from the poll interval.
  const totalS = (Date.parse(done.completed_at as string) - t0) / 1000
  const routerRate = N / totalS
  let first = Infinity
  let last = 0
  let cursor: string | null = null
  do {
    const page: { status: number; body: any } = await client.get(`/v1/batches/${batchId}/results?limit=1000${cursor ? `&cursor=${cursor}` : ''}`)
    for (const r of page.body.results as Array<{ completed_at: string }>) {
      const at = Date.parse(r.completed_at)
      first = Math.min(first, at)
      last = Math.max(last, at)
    }
    cursor = page.body.next_cursor
  } while (cursor)
  const dispatchS = (last - first) / 1000
  const routerStats = await sim.stats()
  const duplicates = Object.values(routerStats.by_custom_id).filter((n) => n > 1).length
  const counts = done.counts as { completed: number; failed: number }
  const phases = `create 202 after ${fmt(createS, 2)} s, first item done at ${fmt((first - t0) / 1000, 2)} s, last at ${fmt((last - t0) / 1000, 2)} s, batch completed at ${fmt(totalS, 2)} s`

  console.log(`command: bun bench/dispatch.ts ${N} ${CONCURRENCY} ${TICK_MS}  (router = child process \`bun src/main.ts serve\`, tickMs ${TICK_MS}; simulator = child process \`bun src/main.ts sim\`, latency 0)`)
  console.log(`items: ${fmt(N)}, concurrency ${CONCURRENCY}`)
  console.log(`bare fetch fan-out:  ${fmt(bareS, 2)} s  ${fmt(bareRate)} req/s  (sim max in flight ${bareStats.max_in_flight})`)
  console.log(`router create→done:  ${fmt(totalS, 2)} s  ${fmt(routerRate)} items/s  (${phases}; ${counts.completed} completed, ${counts.failed} failed, ${duplicates} sent twice)`)
  console.log(`  dispatch alone:    ${fmt(dispatchS, 2)} s  ${fmt(N / dispatchS)} items/s from the first item done to the last = ${fmt((N / dispatchS / bareRate) * 100, 1)} % of bare`)
  console.log(`  GET /v1/batches/{id} while running: p50 ${fmt(pct(pollMs, 0.5), 1)} ms, p99 ${fmt(pct(pollMs, 0.99), 1)} ms, max ${fmt(Math.max(...pollMs), 1)} ms (${pollMs.length} polls, every ${POLL_MS} ms)`)
  console.log(`ratio router/bare:   ${fmt((routerRate / bareRate) * 100, 1)} %  (target ≥ 50 %)`)
  emitFigure(ratioFigure('dispatch', 'items/s create→completed / bare fan-out (20,000 items, c=32, latency 0)', [(routerRate / bareRate) * 100], '%', { min: 50 }))
  emitFigure({ bench: 'dispatch', measure: 'dispatch window alone / bare fan-out', value: (N / dispatchS / bareRate) * 100, unit: '%', runs: [(N / dispatchS / bareRate) * 100] })
  emitFigure(ratioFigure('dispatch', 'GET /v1/batches/{id} p50 while dispatching (poll every 50 ms)', [pct(pollMs, 0.5)], 'ms', { max: 2 }))
  emitFigure(ratioFigure('dispatch', 'GET /v1/batches/{id} p99 while dispatching', [pct(pollMs, 0.99)], 'ms', { max: 10 }))

  // 3. the peer: the same N requests through the Portkey gateway to the same simulator.
  const portkey = await startPortkey()
  if (typeof portkey === 'string') {
    console.log(`Portkey peer: not measured — ${portkey}`)
  } else {
    try {
      const via = portkey.headers(`${sim.url}/v1`)
      // Fewer requests than N: the gateway measured ~130 req/s here, and its rate is what counts.
      const peerN = Math.min(N, 5000)
      await fanOut(portkey.url, 500, CONCURRENCY, via, 'portkey-warm')
      await sim.reset()
      const peerS = await fanOut(portkey.url, peerN, CONCURRENCY, via, 'portkey')
      const peerRate = peerN / peerS
      console.log(`Portkey gateway ${PORTKEY_VERSION} (Node ${Bun.spawnSync(['node', '--version']).stdout.toString().trim()}, sync proxy, ${fmt(peerN)} requests from ${CONCURRENCY} client workers): ${fmt(peerS, 2)} s  ${fmt(peerRate)} req/s = ${fmt((peerRate / bareRate) * 100, 1)} % of bare`)
      console.log(`ratio router/Portkey: ${fmt((routerRate / peerRate) * 100, 1)} % end to end, ${fmt((N / dispatchS / peerRate) * 100, 1)} % for the dispatch window`)
      emitFigure({ bench: 'dispatch', measure: 'router items/s ÷ Portkey gateway req/s (same fan-out)', value: (routerRate / peerRate) * 100, unit: '%', runs: [(routerRate / peerRate) * 100] })
    } finally {
      await portkey.stop()
    }
  }
} finally {
  await server?.stop('SIGTERM')
  await sim.stop('SIGTERM')
  removeDir(root)
}
