/**
 * Observed statistics, the pure part: turning finished-lane outcomes into an offering's rolling
 * figures, and those figures into the turnaround estimate and risk factor lane selection uses.
 */
import type { ObservedStats, OfferingState } from './types'

/** Finished lanes an offering needs before its observed turnaround replaces the catalog figure. */
export const MIN_OBSERVED_LANES = 3

/** One finished lane, as recorded in lane_outcomes. */
export interface LaneOutcome {
  /** Milliseconds from lane creation to its last completed item; null when it never finished (expired). */
  turnaroundMs: number | null
  completed: number
  failed: number
  expired: number
}

/** The rolling figures of an offering from its recent lane outcomes (any order). */
export function summarizeOutcomes(outcomes: LaneOutcome[]): ObservedStats {
  const samples = outcomes.flatMap((o) => (o.turnaroundMs === null ? [] : [Math.max(1, Math.ceil(o.turnaroundMs / 1000))])).sort((a, b) => a - b)
  const completed = sum(outcomes.map((o) => o.completed))
  const failed = sum(outcomes.map((o) => o.failed))
  const expired = sum(outcomes.map((o) => o.expired))
  const items = completed + failed + expired
  return {
    lanes: outcomes.length,
    // Nearest-rank p90: a lane should finish by this time nine times out of ten.
    turnaroundSeconds: samples.length === 0 ? null : samples[Math.ceil(samples.length * 0.9) - 1]!,
    failureRate: items === 0 ? 0 : failed / items,
    expiryRate: items === 0 ? 0 : expired / items,
  }
}

/** Seconds the offering is expected to take: observed p90 once it has enough history, else the catalog's. */
export function expectedTurnaroundSeconds(state: OfferingState): number {
  const o = state.observed
  if (o && o.lanes >= MIN_OBSERVED_LANES && o.turnaroundSeconds !== null) return o.turnaroundSeconds
  return state.offering.turnaround_seconds
}

/** 1 + observed failure rate + observed expiry rate (1 without history); sla_aware multiplies cost by it. */
export function riskFactor(state: OfferingState): number {
  const o = state.observed
  if (!o || o.lanes === 0) return 1
  return 1 + clamp01(o.failureRate) + clamp01(o.expiryRate)
}

/** "45 s", "30 min", "6 h", "1.5 h" — durations in reasons. */
export function formatDuration(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`
  if (seconds < 2 * 3600) return `${Math.round(seconds / 60)} min`
  return `${Math.round((seconds / 3600) * 10) / 10} h`
}

function clamp01(v: number): number {
  return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0)
}
