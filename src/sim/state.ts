/**
 * One simulator's mutable state: the scenario in force, request statistics, per-item attempt
 * counters and the requests currently held open by `timeout_rate` — all in memory — plus the
 * batch dialects' files and batches, which live in the simulator's database (on disk when it
 * was given a directory). Route modules all read and write the same SimState.
 */
import type { Scenario } from './faults'
import type { BatchStore } from './batch-store'

/** Header carrying our item id upstream; the simulator counts requests per value of it. */
export const ITEM_ID_HEADER = 'x-batchrouter-item-id'
/** The fault key of requests without ITEM_ID_HEADER. */
export const ANONYMOUS_KEY = '(anonymous)'

/** `GET /_sim/stats`: counts of upstream (wire) requests since the last reset. */
export interface SimStats {
  total: number
  by_path: Record<string, number>
  by_model: Record<string, number>
  /** Keyed by the ITEM_ID_HEADER value; requests without it are not listed here. */
  by_custom_id: Record<string, number>
  /** Keyed by HTTP status, or `timeout` for requests held open until the client gave up. */
  by_status: Record<string, number>
  /** Requests being answered right now, and the most seen at once. */
  in_flight: number
  max_in_flight: number
}

export interface SimState {
  scenario: Scenario
  stats: SimStats
  /** Requests seen per fault key since the scenario was last set (drives fail_first_n and draws). */
  attempts: Map<string, number>
  /** Release functions of requests hanging on `timeout_rate`. */
  hangs: Set<() => void>
  /** Model names seen in requests or scenarios, listed by `GET /v1/models`. */
  seenModels: Set<string>
  /** Bumped by every reset, so requests that arrived before it do not count after it. */
  generation: number
  /** Files and batches of the batch dialects and the response-id sequence (cleared by reset; limits kept). */
  batch: BatchStore
}

function emptyStats(): SimStats {
  return { total: 0, by_path: {}, by_model: {}, by_custom_id: {}, by_status: {}, in_flight: 0, max_in_flight: 0 }
}

/** A fresh state over `batch` (whatever files and batches it already holds): no scenario, zero counts. */
export function createSimState(batch: BatchStore): SimState {
  return { scenario: {}, stats: emptyStats(), attempts: new Map(), hangs: new Set(), seenModels: new Set(), generation: 0, batch }
}

/** The next response-id number (unique across restarts of a simulator with a directory). */
export function nextSequence(state: SimState): number {
  return state.batch.nextSequence()
}

/** Replaces the scenario and restarts per-item attempt counting (stats are kept). */
export function setScenario(state: SimState, scenario: Scenario): void {
  state.scenario = scenario
  state.attempts.clear()
  for (const model of Object.keys(scenario.models ?? {})) state.seenModels.add(model)
}

/** Clears scenario, stats, counters, files and batches (on disk too) and releases every hanging request. */
export function resetSimState(state: SimState): void {
  state.scenario = {}
  state.stats = emptyStats()
  state.attempts.clear()
  state.seenModels.clear()
  state.batch.clear()
  state.generation++
  releaseHangs(state)
}

/** Lets every request held open by `timeout_rate` finish (used by reset and shutdown). */
export function releaseHangs(state: SimState): void {
  for (const release of [...state.hangs]) release()
  state.hangs.clear()
}

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1
}

/** Counts an arriving wire request; returns its fault key, 1-based attempt number and generation. */
export function recordArrival(state: SimState, req: { path: string; model?: string; customId?: string }): { key: string; attempt: number; generation: number } {
  const s = state.stats
  s.total++
  bump(s.by_path, req.path)
  if (req.model !== undefined) {
    bump(s.by_model, req.model)
    state.seenModels.add(req.model)
  }
  if (req.customId !== undefined) bump(s.by_custom_id, req.customId)
  s.in_flight++
  s.max_in_flight = Math.max(s.max_in_flight, s.in_flight)
  const key = req.customId ?? ANONYMOUS_KEY
  const attempt = (state.attempts.get(key) ?? 0) + 1
  state.attempts.set(key, attempt)
  return { key, attempt, generation: state.generation }
}

/**
 * Counts one batch line as it runs (by model and custom id, like a sync request carrying the
 * item header) and returns its 1-based attempt number for the fault draw.
 */
export function recordLineRun(state: SimState, line: { model?: string; customId: string }): number {
  if (line.model !== undefined) {
    bump(state.stats.by_model, line.model)
    state.seenModels.add(line.model)
  }
  bump(state.stats.by_custom_id, line.customId)
  const attempt = (state.attempts.get(line.customId) ?? 0) + 1
  state.attempts.set(line.customId, attempt)
  return attempt
}

/** Counts how a request of `generation` ended (an HTTP status or `timeout`), unless a reset came since. */
export function recordOutcome(state: SimState, outcome: number | 'timeout', generation: number): void {
  if (generation !== state.generation) return
  state.stats.in_flight--
  bump(state.stats.by_status, String(outcome))
}
