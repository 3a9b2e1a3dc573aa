/**
 * What every benchmark shares: repeated measurements summarised as median and spread, a closed-loop
 * HTTP load generator, and the one machine-readable line per figure that `bench/all.ts` (make
 * bench) collects into its final table.
 */

/** Median of `xs` (mean of the middle two for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** Percentile `p` (0–1) of `xs`, nearest rank. */
export function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((s.length - 1) * p))] ?? NaN
}

/** "median (min–max)" with `d` decimals. */
export function spread(xs: number[], d = 1): string {
  return `${median(xs).toFixed(d)} (${Math.min(...xs).toFixed(d)}–${Math.max(...xs).toFixed(d)})`
}

/** One figure as the final table shows it. */
export interface Figure {
  bench: string
  measure: string
  /** Median of the repetitions. */
  value: number
  unit: string
  /** Every repetition, for the spread. */
  runs: number[]
  /** e.g. ">= 25"; absent for figures without a target. */
  target?: string
  met?: boolean
}

/** Prints `figure` as one `BENCH_FIGURE {json}` line (collected by bench/all.ts). */
export function emitFigure(figure: Figure): void {
  console.log(`BENCH_FIGURE ${JSON.stringify(figure)}`)
}

/** A ratio figure (median of runs) against `>= min` or `<= max`. */
export function ratioFigure(bench: string, measure: string, runs: number[], unit: string, target: { min?: number; max?: number }): Figure {
  const value = median(runs)
  const met = target.min !== undefined ? value >= target.min : value <= target.max!
  return { bench, measure, value, unit, runs, target: target.min !== undefined ? `≥ ${target.min}` : `≤ ${target.max}`, met }
}

export interface LoadResult {
  requests: number
  rps: number
  p50: number
  p99: number
  errors: number
}

/**
 * `clients` concurrent loops, each sending the next request as soon as the last answered, for
 * `ms` milliseconds. `next(i)` gives request i's URL; `check` decides whether an answer counts.
 */
export async function closedLoop(next: (i: number) => string, opts: { clients: number; ms: number; headers?: Record<string, string>; okStatus?: number[] }): Promise<LoadResult> {
  const latencies: number[] = []
  let errors = 0
  let i = 0
  const ok = new Set(opts.okStatus ?? [200])
  const end = performance.now() + opts.ms
  const loop = async () => {
    while (performance.now() < end) {
      const t = performance.now()
      const res = await fetch(next(i++), { headers: opts.headers })
      await res.arrayBuffer()
      latencies.push(performance.now() - t)
      if (!ok.has(res.status)) errors++
    }
  }
  const t0 = performance.now()
  await Promise.all(Array.from({ length: opts.clients }, loop))
  const s = (performance.now() - t0) / 1000
  return { requests: latencies.length, rps: latencies.length / s, p50: pct(latencies, 0.5), p99: pct(latencies, 0.99), errors }
}
