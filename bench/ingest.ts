/**
 * Ingest through the real server, against its bare limit, in one run.
 *
 * Generates a ~200 MB, 50,000-line JSONL of realistic chat items (~4 KB each: a system prompt and
 * a multilingual user message, native and OpenAI line shapes mixed) in a temp dir, then with the
 * router as a child process (`bun src/main.ts serve`, config file: startingCredit 1000.00,
 * limits.batchUploadBytes 220 MB, `openai` → a standalone simulator answering slowly so dispatch
 * stays out of the way):
 *
 * - upload: POST /v1/files, raw body streamed from the file, until 200;
 * - create: POST /v1/batches {input_file_id} (Idempotency-Key), until 202;
 * - the server's peak RSS: VmRSS sampled every 10 ms from /proc/<pid>/status, and VmHWM;
 * - /healthz latency from a second client loop while the create runs (p50/p99/max);
 * - bare: a line-by-line JSON.parse of the same file in this process (after the server stopped).
 *
 * Prints upload s, create s, bare parse s, ratio create/bare (target ≤ 1.7), peak RSS MB
 * (target ≤ 256) and healthz p99 ms during upload and during create (target ≤ 10 each), and
 * one BENCH_FIGURE line per figure for `make bench`.
 *
 *   bun bench/ingest.ts [lines=50000] [bytes=200000000]
 */
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { memoryOf, openaiToSim, registerOrg, removeDir, startServerProcess, startSimProcess, tempDir } from '../test/helpers/process'
import { bareParse } from './bare-parse'
import { emitFigure, pct, ratioFigure } from './figures'

const LINES = Number(process.argv[2] ?? 50_000)
const TARGET_BYTES = Number(process.argv[3] ?? 200_000_000)

const SYSTEM = 'You are a careful assistant for a logistics company. Answer in the language of the question, in at most three sentences, and never invent shipment numbers.'
const WORDS = ['the', 'shipment', 'arrived', 'late', 'because', 'customs', 'held', 'pallets', 'in', 'Rotterdam', 'Lieferung', 'verspätet', 'Zoll', 'café', 'naïve', 'entrepôt', '東京', '倉庫', 'データ', '😀', 'invoice', 'please', 'summarise', 'this', 'thread', 'and', 'list', 'the', 'next', 'steps', 'for', 'our', 'team', '—', 'ordre', 'n°', '4711']

function text(chars: number, seed: number): string {
  let out = ''
  let i = seed
  while (out.length < chars) out += WORDS[(i = (i * 1103515245 + 12345) % 2147483648) % WORDS.length] + ' '
  return out
}

function line(i: number, textChars: number): string {
  const user = `Ticket #${i}: ${text(textChars, i)}`
  if (i % 3 === 0) {
    return JSON.stringify({ custom_id: `req-${i}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: user }], max_tokens: 200, temperature: 0.2 } })
  }
  return JSON.stringify({ customer_item_id: `item-${i}`, operation: 'responses', model: 'gpt-4o-mini', input: { messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: user }], max_tokens: 200, temperature: 0.2 } })
}

async function generate(path: string): Promise<number> {
  const perLine = Math.floor(TARGET_BYTES / LINES)
  // Multi-byte words make bytes exceed chars; size the text so lines land near perLine bytes.
  const base = Buffer.byteLength(line(1, 0))
  const bytesPerChar = (Buffer.byteLength(line(1, 4000)) - base) / 4000
  const chars = Math.max(0, Math.floor((perLine - 1 - base) / bytesPerChar))
  const sink = Bun.file(path).writer({ highWaterMark: 1 << 20 })
  let bytes = 0
  for (let i = 0; i < LINES; i++) {
    const l = line(i, chars) + '\n'
    sink.write(l)
    bytes += Buffer.byteLength(l)
  }
  await sink.end()
  return bytes
}



const root = tempDir('br-bench-ingest-')
const path = join(root, 'input.jsonl')
const sim = await startSimProcess()
let server: Awaited<ReturnType<typeof startServerProcess>> | undefined
try {
  const t0 = performance.now()
  const bytes = await generate(path)
  console.log(`command: bun bench/ingest.ts ${LINES} ${TARGET_BYTES}  (router = child process \`bun src/main.ts serve\`; simulator = child process \`bun src/main.ts sim\`, latency 60 s)`)
  console.log(`file: ${LINES.toLocaleString('en-US')} lines, ${(bytes / 1e6).toFixed(1)} MB (${(bytes / LINES / 1024).toFixed(1)} KiB/line), generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

  // Calls to the simulator hang for a minute: dispatch claims 32 items and then waits, so the
  // figures below are ingest's own.
  await sim.scenario({ global: { latency_ms: 60_000 } })
  server = await startServerProcess({
    dataDir: join(root, 'data'),
    configPath: join(root, 'config.json'),
    config: { startingCredit: '1000.00', logLevel: 'warn', limits: { batchUploadBytes: 220 * 1024 * 1024 }, catalog: openaiToSim(sim.url) },
    // BENCH_PROFILE=DIR writes the router's CPU profile (markdown) to DIR when it stops.
    bunArgs: process.env.BENCH_PROFILE ? ['--cpu-prof-md', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [],
  })
  const client = await registerOrg(server.url)
  const pid = server.pid
  const idleRss = memoryOf(pid)!.rss

  // RSS sampler
  let peakRss = 0
  const sampler = setInterval(() => {
    const m = memoryOf(pid)
    if (m) peakRss = Math.max(peakRss, m.rss)
  }, 10)

  // healthz loop (sequential requests, one at a time)
  let phase = 'idle' as 'upload' | 'create' | 'idle'
  const latencies: Record<'upload' | 'create', number[]> = { upload: [], create: [] }
  let looping = true
  const healthLoop = (async () => {
    while (looping) {
      if (phase === 'idle') {
        await Bun.sleep(1)
        continue
      }
      const p = phase
      const t = performance.now()
      const res = await fetch(`${server!.url}/healthz`)
      await res.arrayBuffer()
      latencies[p].push(performance.now() - t)
      await Bun.sleep(1)
    }
  })()

  phase = 'upload'
  let t = performance.now()
  const up = await fetch(`${server.url}/v1/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${client.key}`, 'content-type': 'application/jsonl', 'content-length': String(statSync(path).size), 'x-batchrouter-purpose': 'batch', 'x-batchrouter-filename': 'ingest-bench.jsonl' },
    body: Bun.file(path),
  })
  const uploadS = (performance.now() - t) / 1000
  if (up.status !== 200) throw new Error(`upload: ${up.status} ${await up.text()}`)
  const file = (await up.json()) as { id: string; line_count?: number }
  const afterUploadRss = memoryOf(pid)!.rss

  phase = 'create'
  t = performance.now()
  const created = await client.post('/v1/batches', { input_file_id: file.id }, { 'idempotency-key': 'ingest-bench-0001' })
  const createS = (performance.now() - t) / 1000
  phase = 'idle'
  if (created.status !== 202) throw new Error(`create: ${created.status} ${JSON.stringify(created.body).slice(0, 2000)}`)
  const hwm = memoryOf(pid)!.hwm
  clearInterval(sampler)
  looping = false
  await healthLoop
  const reserved = created.body.batch?.pricing_estimate?.total
  // The simulator goes first: the calls it holds open fail at once, so the router drains quickly.
  await sim.stop('SIGKILL')
  await server.stop('SIGTERM', 30_000)
  server = undefined

  t = performance.now()
  const parsed = await bareParse(path)
  const bareS = (performance.now() - t) / 1000
  if (parsed !== LINES) throw new Error(`bare parse counted ${parsed} lines`)

  const h = latencies.create
  const u = latencies.upload
  const mb = (n: number) => (n / 1024 / 1024).toFixed(0)
  console.log(`upload:        ${uploadS.toFixed(2)} s  (${(bytes / 1e6 / uploadS).toFixed(0)} MB/s)`)
  console.log(`create:        ${createS.toFixed(2)} s  (${(bytes / 1e6 / createS).toFixed(0)} MB/s, ${(LINES / createS).toFixed(0)} items/s; reserved ${reserved} USD)`)
  console.log(`bare parse:    ${bareS.toFixed(2)} s  (${(bytes / 1e6 / bareS).toFixed(0)} MB/s)`)
  console.log(`ratio create/bare: ${(createS / bareS).toFixed(2)}  (target ≤ 1.7)`)
  console.log(`peak RSS:      ${mb(Math.max(peakRss, afterUploadRss))} MB sampled VmRSS, ${mb(hwm)} MB VmHWM  (idle ${mb(idleRss)} MB, after upload ${mb(afterUploadRss)} MB; target ≤ 256)`)
  console.log(`healthz during create: p50 ${pct(h, 0.5).toFixed(1)} ms, p99 ${pct(h, 0.99).toFixed(1)} ms, max ${Math.max(...h).toFixed(1)} ms over ${h.length} requests  (target p99 ≤ 10)`)
  console.log(`healthz during upload: p50 ${pct(u, 0.5).toFixed(1)} ms, p99 ${pct(u, 0.99).toFixed(1)} ms, max ${Math.max(...u).toFixed(1)} ms over ${u.length} requests`)
  const peakMb = Math.max(peakRss, afterUploadRss, hwm) / 1024 / 1024
  emitFigure(ratioFigure('ingest', 'create time / bare JSON.parse (200 MB, 50,000 lines)', [createS / bareS], '×', { max: 1.7 }))
  emitFigure(ratioFigure('ingest', 'server peak RSS', [peakMb], 'MB', { max: 256 }))
  emitFigure(ratioFigure('ingest', '/healthz p99 during upload', [pct(u, 0.99)], 'ms', { max: 10 }))
  emitFigure(ratioFigure('ingest', '/healthz p99 during create', [pct(h, 0.99)], 'ms', { max: 10 }))
} finally {
  await sim.stop('SIGKILL')
  await server?.stop('SIGTERM', 30_000)
  removeDir(root)
}
