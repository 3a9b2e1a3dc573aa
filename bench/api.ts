/**
 * Read throughput of the API on large finished batches, against its bare limit, in one run.
 *
 * Setup (a real run, not rows forged into the database): a standalone simulator at latency 0
 * (`bun src/main.ts sim`) and the router as a child process (`bun src/main.ts serve`, tickMs 10,
 * `openai` → the simulator); batches of 1,000, 20,000 and 50,000 small chat items are uploaded,
 * created and dispatched to completion. The bare baseline is `bench/bare-api-server.ts` — Elysia +
 * bun:sqlite reading the router's own database file (read-only), no auth, no presenter.
 *
 * Measured with 32 closed-loop clients (each sends its next request when the last answered),
 * repeated REPS times, alternating bare and router:
 * - status: `GET /v1/batches/{id}` on the 50,000-item batch vs the bare batch-row GET (target ≥ 25 %);
 * - results: `GET /v1/batches/{id}/results?limit=100` at 50 cursors spread over the batch vs the
 *   bare page of 100 item rows at the same positions (target ≥ 50 %);
 * - also `GET /v1/batches/{id}` with `If-None-Match` of the last ETag (the poller's case);
 * - one client, sequential: status GET latency at 1,000 vs 20,000 items (their ratio should stay ≈ 1).
 *
 *   bun bench/api.ts [seconds per load=3] [reps=3]
 */
import { join } from 'node:path'
import type { Subprocess } from 'bun'
import { openaiToSim, registerOrg, removeDir, startServerProcess, startSimProcess, tempDir, waitFor, type ApiClient } from '../test/helpers/process'
import { closedLoop, emitFigure, median, ratioFigure, spread } from './figures'

const SECONDS = Number(process.argv[2] ?? 3)
const REPS = Number(process.argv[3] ?? 3)
const CLIENTS = 32
const MODEL = 'gpt-4o-mini'

const body = (i: number) => ({ model: MODEL, messages: [{ role: 'user', content: `Reply with one word about item ${i}.` }], max_tokens: 8 })

/** Uploads N chat lines, creates the batch and waits until it completed; returns its id. */
async function finishedBatch(serverUrl: string, client: ApiClient, n: number): Promise<string> {
  const jsonl = Array.from({ length: n }, (_, i) => JSON.stringify({ custom_id: `req-${i}`, method: 'POST', url: '/v1/chat/completions', body: body(i) })).join('\n') + '\n'
  const bytes = Buffer.from(jsonl)
  const up = await fetch(`${serverUrl}/v1/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${client.key}`, 'content-type': 'application/jsonl', 'content-length': String(bytes.length), 'x-batchrouter-purpose': 'batch', 'x-batchrouter-filename': `api-bench-${n}.jsonl` },
    body: bytes,
  })
  if (up.status !== 200) throw new Error(`upload: ${up.status} ${await up.text()}`)
  const fileId = ((await up.json()) as { id: string }).id
  const created = await client.post('/v1/batches', { input_file_id: fileId, endpoint: '/v1/chat/completions', completion_window: '24h' })
  if (created.status !== 202) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`)
  const id = created.body.id as string
  await waitFor(`batch of ${n} to complete`, async () => (await client.get(`/v1/batches/${id}`)).body.batch.status === 'completed', { timeoutMs: 600_000, everyMs: 250 })
  return id
}

/** `count` sequential GETs by one client; latencies in ms. */
async function oneClient(url: string, headers: Record<string, string>, count: number): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < count; i++) {
    const t = performance.now()
    const res = await fetch(url, { headers })
    await res.arrayBuffer()
    if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`)
    out.push(performance.now() - t)
  }
  return out
}

const root = tempDir('br-bench-api-')
const sim = await startSimProcess()
let server: Awaited<ReturnType<typeof startServerProcess>> | undefined
let bare: Subprocess<'ignore', 'pipe', 'inherit'> | undefined
try {
  await sim.scenario({ global: { latency_ms: 0 } })
  server = await startServerProcess({
    dataDir: join(root, 'data'),
    configPath: join(root, 'config.json'),
    bunArgs: process.env.BENCH_PROFILE ? ['--cpu-prof-md', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [],
    // Rate limits out of the way: 32 clients make far more than a key's 6,000 requests a minute.
    config: { tickMs: 10, startingCredit: '1000.00', logLevel: 'warn', rateLimits: { perKey: 1_000_000_000, perOrg: 1_000_000_000 }, catalog: openaiToSim(sim.url) },
  })
  const client = await registerOrg(server.url)
  const t0 = performance.now()
  const small = await finishedBatch(server.url, client, 1_000)
  const medium = await finishedBatch(server.url, client, 20_000)
  const big = await finishedBatch(server.url, client, 50_000)
  console.log(`command: bun bench/api.ts ${SECONDS} ${REPS}  (router = child process \`bun src/main.ts serve\`, bare = \`bun bench/bare-api-server.ts\` on the router's database; ${CLIENTS} clients, ${SECONDS} s per load)`)
  console.log(`setup: batches of 1,000 / 20,000 / 50,000 items run to completed through the simulator (latency 0) in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

  bare = Bun.spawn([process.execPath, join(import.meta.dir, 'bare-api-server.ts'), join(root, 'data', 'router.db')], { stdin: 'ignore', stdout: 'pipe', stderr: 'inherit' })
  const reader = bare.stdout.getReader()
  let banner = ''
  while (!/listening on (\S+) /.test(banner)) banner += new TextDecoder().decode((await reader.read()).value)
  const bareUrl = /listening on (\S+) /.exec(banner)![1]!

  const auth = { authorization: `Bearer ${client.key}` }
  const cursors: (string | null)[] = [null]
  let cursor: string | null = null
  do {
    const page: { body: { next_cursor: string | null } } = await client.get(`/v1/batches/${big}/results?limit=1000${cursor ? `&cursor=${cursor}` : ''}`)
    cursor = page.body.next_cursor
    if (cursor) cursors.push(cursor)
  } while (cursor)
  const routerPage = (i: number) => {
    const c = cursors[i % cursors.length]
    return `${server!.url}/v1/batches/${big}/results?limit=100${c ? `&cursor=${c}` : ''}`
  }
  const barePage = (i: number) => `${bareUrl}/batches/${big}/items?after=${(i % cursors.length) * 1000 - 1}`
  const etag = (await fetch(`${server.url}/v1/batches/${big}`, { headers: auth })).headers.get('etag')

  const load = { clients: CLIENTS, ms: SECONDS * 1000 }
  const status: number[] = []
  const pages: number[] = []
  const conditional: number[] = []
  const lines: string[] = []
  for (let rep = 0; rep < REPS; rep++) {
    const bs = await closedLoop(() => `${bareUrl}/batches/${big}`, load)
    const rs = await closedLoop(() => `${server!.url}/v1/batches/${big}`, { ...load, headers: auth })
    const bp = await closedLoop(barePage, load)
    const rp = await closedLoop(routerPage, { ...load, headers: auth })
    const rc = etag ? await closedLoop(() => `${server!.url}/v1/batches/${big}`, { ...load, headers: { ...auth, 'if-none-match': etag }, okStatus: [304] }) : null
    const errors = bs.errors + rs.errors + bp.errors + rp.errors + (rc?.errors ?? 0)
    if (errors > 0) throw new Error(`${errors} requests failed`)
    status.push((rs.rps / bs.rps) * 100)
    pages.push((rp.rps / bp.rps) * 100)
    if (rc) conditional.push((rc.rps / bs.rps) * 100)
    lines.push(
      `run ${rep + 1}: status bare ${bs.rps.toFixed(0)} req/s (p50 ${bs.p50.toFixed(1)} ms), router ${rs.rps.toFixed(0)} req/s (p50 ${rs.p50.toFixed(1)}, p99 ${rs.p99.toFixed(1)} ms) = ${status.at(-1)!.toFixed(1)} %` +
        `; page bare ${bp.rps.toFixed(0)} req/s, router ${rp.rps.toFixed(0)} req/s (p50 ${rp.p50.toFixed(1)} ms) = ${pages.at(-1)!.toFixed(1)} %` +
        (rc ? `; If-None-Match ${rc.rps.toFixed(0)} req/s (304) = ${conditional.at(-1)!.toFixed(1)} %` : ''),
    )
  }
  for (const l of lines) console.log(l)

  const scale: number[] = []
  const at1k: number[] = []
  const at20k: number[] = []
  for (let rep = 0; rep < REPS; rep++) {
    const a = median(await oneClient(`${server.url}/v1/batches/${small}`, auth, 300))
    const b = median(await oneClient(`${server.url}/v1/batches/${medium}`, auth, 300))
    at1k.push(a)
    at20k.push(b)
    scale.push(b / a)
  }
  console.log(`status GET, one client (p50 of 300): ${spread(at1k, 2)} ms at 1,000 items, ${spread(at20k, 2)} ms at 20,000 items; ratio ${spread(scale, 2)}`)
  console.log(`ratio status router/bare: ${spread(status)} %  (target ≥ 25 %)`)
  console.log(`ratio results page router/bare: ${spread(pages)} %  (target ≥ 50 %)`)
  if (conditional.length) console.log(`ratio status with If-None-Match (304) / bare: ${spread(conditional)} %`)
  emitFigure(ratioFigure('api', 'status GET req/s / bare (50,000 items, 32 clients)', status, '%', { min: 25 }))
  emitFigure(ratioFigure('api', 'results page of 100 req/s / bare page', pages, '%', { min: 50 }))
  if (conditional.length) emitFigure({ bench: 'api', measure: 'status GET with If-None-Match (304) / bare', value: median(conditional), unit: '%', runs: conditional })
  emitFigure({ bench: 'api', measure: 'one client status GET p50 at 1,000 items', value: median(at1k), unit: 'ms', runs: at1k })
  emitFigure({ bench: 'api', measure: 'one client status GET p50 at 20,000 items', value: median(at20k), unit: 'ms', runs: at20k })
} finally {
  bare?.kill()
  await server?.stop('SIGTERM')
  await sim.stop('SIGTERM')
  removeDir(root)
}
