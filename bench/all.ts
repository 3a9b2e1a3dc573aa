/**
 * `make bench`: every benchmark, each ratio repeated, then one table of every figure with its
 * median, spread, target and met/missed.
 *
 * Benchmarks that repeat internally (api, quote: alternating bare and product REPS times) run
 * once; the single-shot ones (ingest, dispatch) run REPS times and their figures are merged
 * (median of the runs, min–max spread). Each benchmark prints its own lines as it goes and one
 * `BENCH_FIGURE {json}` line per figure (bench/figures.ts), which this script collects.
 *
 *   bun bench/all.ts [reps=3] [only=api.ts,quote.ts,…]   (only: run just these scripts)
 */
import { join } from 'node:path'
import { median, type Figure } from './figures'

const REPS = Number(process.argv[2] ?? 3)
const ONLY = process.argv[3] ? new Set(process.argv[3].split(',')) : null
const DIR = import.meta.dir

/** What runs, in order: script, its arguments, how many times. */
const PLAN: Array<{ script: string; args: string[]; times: number }> = [
  { script: 'api.ts', args: ['3', String(REPS)], times: 1 },
  { script: 'quote.ts', args: ['50000', '600', String(REPS)], times: 1 },
  { script: 'ingest.ts', args: [], times: REPS },
  { script: 'dispatch.ts', args: [], times: REPS },
  { script: 'sim-store.ts', args: [], times: 1 },
  { script: 'auth-burst.ts', args: [], times: 1 },
  { script: 'backup.ts', args: [], times: 1 },
  { script: 'fleet.ts', args: [], times: REPS },
  { script: 'jobs-thread.ts', args: ['10000', String(REPS)], times: 1 },
]

/** Runs one benchmark, echoing its output; returns its BENCH_FIGURE lines parsed and whether it exited 0. */
async function runOne(script: string, args: string[]): Promise<{ figures: Figure[]; ok: boolean }> {
  console.log(`\n$ bun bench/${script} ${args.join(' ')}`.trimEnd())
  const proc = Bun.spawn([process.execPath, join(DIR, script), ...args], { stdin: 'ignore', stdout: 'pipe', stderr: 'inherit' })
  const figures: Figure[] = []
  let tail = ''
  const decoder = new TextDecoder()
  const take = (line: string) => {
    if (line.startsWith('BENCH_FIGURE ')) figures.push(JSON.parse(line.slice('BENCH_FIGURE '.length)) as Figure)
    else console.log(line)
  }
  for await (const chunk of proc.stdout) {
    const lines = (tail + decoder.decode(chunk, { stream: true })).split('\n')
    tail = lines.pop() ?? ''
    lines.forEach(take)
  }
  if (tail) take(tail)
  const code = await proc.exited
  if (code !== 0) console.log(`(bench/${script} exited ${code}; its figures are left out)`)
  return { figures: code === 0 ? figures : [], ok: code === 0 }
}

/** Whether `value` meets a target written as "≥ N" or "≤ N". */
function meets(value: number, target: string): boolean {
  const n = Number(target.slice(1).trim())
  return target.startsWith('≥') ? value >= n : value <= n
}

const merged = new Map<string, Figure>()
const failed: string[] = []
for (const step of PLAN) {
  if (ONLY && !ONLY.has(step.script)) continue
  for (let i = 0; i < step.times; i++) {
    const { figures, ok } = await runOne(step.script, step.args)
    if (!ok) failed.push(step.script)
    for (const f of figures) {
      const key = `${f.bench}\u0000${f.measure}`
      const prev = merged.get(key)
      const runs = [...(prev?.runs ?? []), ...f.runs]
      const value = median(runs)
      merged.set(key, { ...f, runs, value, met: f.target ? meets(value, f.target) : undefined })
    }
  }
}

const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2))
const rows = [...merged.values()].map((f) => [
  f.bench,
  f.measure,
  `${fmt(f.value)} ${f.unit}`,
  f.runs.length > 1 ? `${fmt(Math.min(...f.runs))}–${fmt(Math.max(...f.runs))}` : '—',
  String(f.runs.length),
  f.target ? `${f.target} ${f.unit}` : '—',
  f.met === undefined ? '—' : f.met ? 'met' : 'MISSED',
])
const header = ['bench', 'measure', 'median', 'spread', 'runs', 'target', '']
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`
console.log(`\nAll figures (${new Date().toISOString().slice(0, 10)}, Bun ${Bun.version}; median of the runs, spread min–max):\n`)
console.log(line(header))
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`)
for (const r of rows) console.log(line(r))
if (failed.length) console.log(`\nfailed: ${[...new Set(failed)].join(', ')}`)
