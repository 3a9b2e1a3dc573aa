/**
 * What moving the jobs off the API thread buys (config `jobs.thread`): the same dispatch run
 * with the jobs on the main thread (the baseline) and in the jobs worker, alternating, 3 times.
 *
 * Processes: a standalone simulator (latency 0) and the router (`bun src/main.ts serve`, tickMs
 * 10, `openai` → the simulator). Each run uploads N small chat items, creates the batch and, until
 * it is completed, polls GET /v1/batches/{id} every 50 ms and GET /healthz in a loop (one at a
 * time) — the latencies a poller and a load balancer see while the appliance works.
 *
 * Prints each run, then per mode the median (and spread) of: GET batch p50/p99, /healthz p50/p99,
 * items/s create→completed; and worker ÷ main for each.
 *
 *   bun bench/jobs-thread.ts [items=10000] [reps=3]
 */
import { openaiToSim, registerOrg, removeDir, startServerProcess, startSimProcess, tempDir, waitFor } from '../test/helpers/process'

const N = Number(process.argv[2] ?? 10_000)
const REPS = Number(process.argv[3] ?? 3)
const MODES = ['main', 'worker'] as const
type Mode = (typeof MODES)[number]
interface Run { getP50: number; getP99: number; healthP50: number; healthP99: number; itemsPerS: number }

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN
}
const median = (xs: number[]) => pct(xs, 0.5)
const f1 = (n: number) => n.toFixed(1)

async function timed(url: string, init?: RequestInit): Promise<number> {
  const t = performance.now()
  const res = await fetch(url, init)
  await res.arrayBuffer()
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`)
  return performance.now() - t
}

async function oneRun(simUrl: string, root: string, mode: Mode, rep: number): Promise<Run> {
  const server = await startServerProcess({ dataDir: `${root}/${mode}-${rep}`, config: { jobs: { thread: mode }, tickMs: 10, startingCredit: '1000.00', logLevel: 'warn', catalog: openaiToSim(simUrl) } })
  try {
    const client = await registerOrg(server.url)
    const auth = { authorization: `Bearer ${client.key}` }
    const lines = Array.from({ length: N }, (_, i) => JSON.stringify({ custom_id: `r-${i}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `One word about ${i}.` }], max_tokens: 8 } }))
    const up = await fetch(`${server.url}/v1/files`, { method: 'POST', headers: { ...auth, 'content-type': 'application/jsonl', 'x-batchrouter-purpose': 'batch' }, body: lines.join('\n') + '\n' })
    if (up.status !== 200) throw new Error(`upload: ${up.status} ${await up.text()}`)
    const fileId = ((await up.json()) as { id: string }).id
    const t0 = Date.now()
    const created = await client.post('/v1/batches', { input_file_id: fileId, endpoint: '/v1/chat/completions', completion_window: '24h' })
    if (created.status !== 202) throw new Error(`create: ${created.status}`)
    const id = created.body.id as string
    const gets: number[] = []
    const health: number[] = []
    let done = false
    const healthLoop = (async () => {
      while (!done) health.push(await timed(`${server.url}/healthz`))
    })()
    const batch = await waitFor('completed', async () => {
      const t = performance.now()
      const b = await client.get(`/v1/batches/${id}`)
      gets.push(performance.now() - t)
      return b.body.batch.status === 'completed' ? b.body.batch : null
    }, { timeoutMs: 600_000, everyMs: 50 })
    done = true
    await healthLoop
    const totalS = (Date.parse(batch.completed_at as string) - t0) / 1000
    return { getP50: pct(gets, 0.5), getP99: pct(gets, 0.99), healthP50: pct(health, 0.5), healthP99: pct(health, 0.99), itemsPerS: N / totalS }
  } finally {
    await server.stop('SIGTERM')
  }
}

const root = tempDir('br-bench-jobs-thread-')
const sim = await startSimProcess()
try {
  await sim.scenario({ global: { latency_ms: 0 } })
  const runs: Record<Mode, Run[]> = { main: [], worker: [] }
  for (let rep = 1; rep <= REPS; rep++) {
    for (const mode of MODES) {
      await sim.reset()
      const r = await oneRun(sim.url, root, mode, rep)
      runs[mode].push(r)
      console.log(`run ${rep} ${mode.padEnd(6)}: GET batch p50 ${f1(r.getP50)} ms p99 ${f1(r.getP99)} ms · /healthz p50 ${f1(r.healthP50)} ms p99 ${f1(r.healthP99)} ms · ${r.itemsPerS.toFixed(0)} items/s`)
    }
  }
  console.log(`command: bun bench/jobs-thread.ts ${N} ${REPS}  (router = child process \`bun src/main.ts serve\`, tickMs 10, jobs.thread main vs worker; simulator latency 0)`)
  const keys: Array<[keyof Run, string]> = [['getP50', 'GET /v1/batches/{id} p50 ms'], ['getP99', 'GET /v1/batches/{id} p99 ms'], ['healthP50', '/healthz p50 ms'], ['healthP99', '/healthz p99 ms'], ['itemsPerS', 'items/s create→completed']]
  for (const [key, label] of keys) {
    const m = runs.main.map((r) => r[key])
    const w = runs.worker.map((r) => r[key])
    console.log(`${label.padEnd(30)} main median ${f1(median(m))} (${f1(Math.min(...m))}–${f1(Math.max(...m))})  worker median ${f1(median(w))} (${f1(Math.min(...w))}–${f1(Math.max(...w))})  worker/main ${(median(w) / median(m)).toFixed(2)}×`)
  }
} finally {
  await sim.stop('SIGTERM')
  removeDir(root)
}
