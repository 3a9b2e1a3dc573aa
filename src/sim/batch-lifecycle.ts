/**
 * The clock-driven life cycle of a simulated batch. Its lines have scheduled finish times over
 * simulated time (`now` is injected): lines run when their time comes (`advance`), and the batch
 * ends completed at `turnaround_s`, expired then when the scenario said `expire` (only the first
 * half of its lines ran), failed (validation errors, `fail_batch`), or cancelled after a cancel.
 * Dialect modules decide what a line's answer looks like on their wire.
 */
import { captureBatchFaults } from './batch-faults'
import type { BatchStore, LineResult, SimBatch, SimBatchEnd, SimBatchLine } from './batch-store'
import type { Behaviour } from './faults'

/** Turnaround of a batch when the scenario names none: fast, so demos finish in seconds. */
export const DEFAULT_TURNAROUND_S = 1

/** What a dialect knows of a batch it is creating. */
export type NewBatchFields = Pick<SimBatch, 'id' | 'dialect' | 'model' | 'createdAt' | 'errors' | 'openai'>

/**
 * Creates a batch under behaviour `b` (turnaround, `expire` and the batch-level faults are fixed
 * now) and stores it with its lines scheduled — unless `lose_batches` with 0 polls forgets it
 * right after the create answer. Returns the batch for that answer.
 */
export function createBatch(store: BatchStore, b: Behaviour, fields: NewBatchFields, lines: { customId: string; body: Record<string, unknown> }[]): SimBatch {
  const faults = captureBatchFaults(b)
  const turnaroundMs = (b.turnaround_s ?? DEFAULT_TURNAROUND_S) * 1000
  const batch: SimBatch = { ...fields, turnaroundMs, lineCount: lines.length, cancelRequestedAt: null, endedAt: null, end: null, faults, polls: 0 }
  const finishAts = scheduleLines(fields.createdAt, turnaroundMs, lines.length, b.expire === true)
  if (faults.loseAfterPolls !== 0) store.batches.insert(batch, lines.map((l, i) => ({ ...l, finishAt: finishAts[i]! })))
  return batch
}

/** Counts one answered retrieve; a `lose_batches` batch is forgotten once it has had its polls. */
export function recordRetrieve(store: BatchStore, batch: SimBatch): void {
  if (batch.faults.loseAfterPolls === null) return
  if (store.batches.countPoll(batch.id) >= batch.faults.loseAfterPolls) store.batches.delete(batch.id)
}

/** Share of the turnaround spent validating (OpenAI `validating`) before lines start running. */
const VALIDATING_SHARE = 0.1
/** Lines finish by this share of the turnaround; the rest is `finalizing`. */
const RUNNING_UNTIL_SHARE = 0.9

/**
 * When each of `n` lines runs: spread evenly over the running window; with `expire`, only the
 * first half is scheduled and the rest never runs (Infinity).
 */
export function scheduleLines(createdAt: number, turnaroundMs: number, n: number, expire: boolean): number[] {
  const runnable = expire ? Math.floor(n / 2) : n
  const start = createdAt + turnaroundMs * VALIDATING_SHARE
  const span = turnaroundMs * (RUNNING_UNTIL_SHARE - VALIDATING_SHARE)
  return Array.from({ length: n }, (_, i) => (i < runnable ? start + (span * (i + 1)) / Math.max(1, runnable) : Number.POSITIVE_INFINITY))
}

/** Where a live batch is in its life (before `advance` has ended it). */
export function phaseOf(batch: SimBatch, now: number): 'validating' | 'in_progress' | 'finalizing' {
  if (now < batch.createdAt + batch.turnaroundMs * VALIDATING_SHARE) return 'validating'
  return now < batch.createdAt + batch.turnaroundMs * RUNNING_UNTIL_SHARE ? 'in_progress' : 'finalizing'
}

/** Simulated ms at which a batch leaves `validating`. */
export function validatedAt(batch: SimBatch): number {
  return batch.createdAt + batch.turnaroundMs * VALIDATING_SHARE
}

/** Simulated ms at which a batch starts `finalizing`. */
export function finalizingAt(batch: SimBatch): number {
  return batch.createdAt + batch.turnaroundMs * RUNNING_UNTIL_SHARE
}

/** What a dialect does when a batch ends: stage its output (files), published with the end. */
export type OnEnd = (batch: SimBatch, end: SimBatchEnd, at: number) => { publish(): void } | undefined

/** Lines run per transaction while advancing (each transaction is one fsync on disk). */
const RUN_CHUNK = 2000

/**
 * Runs every line of `batchId` whose time has come (through `run`, in order) and ends the batch
 * when its time has come: failed (validation errors), cancelled (a cancel was asked), expired or
 * completed (turnaround reached). Call it inside `store.serialized(batchId, …)`, so concurrent
 * polls never run a line twice. Idempotent; returns the batch as it now is (undefined if unknown).
 */
export async function advance(store: BatchStore, batchId: string, now: number, run: (batch: SimBatch, line: SimBatchLine) => Promise<LineResult>, onEnd?: OnEnd): Promise<SimBatch | undefined> {
  const batch = store.batches.get(batchId)
  if (!batch || batch.end) return batch
  if (batch.errors.length > 0) {
    if (now >= validatedAt(batch)) finish(store, batch, 'failed', now, onEnd)
    return store.batches.get(batchId)
  }
  const cutoff = Math.min(now, batch.cancelRequestedAt ?? Number.POSITIVE_INFINITY)
  for (;;) {
    const due = store.batches.dueLines(batchId, cutoff, RUN_CHUNK)
    if (due.length === 0) break
    const results: { idx: number; result: LineResult }[] = []
    for (const line of due) results.push({ idx: line.idx, result: await run(batch, line) })
    store.batches.saveResults(batchId, results)
  }
  if (batch.cancelRequestedAt !== null) finish(store, batch, 'cancelled', now, onEnd)
  else if (now >= batch.createdAt + batch.turnaroundMs) finish(store, batch, store.batches.counts(batchId).notRun > 0 ? 'expired' : 'completed', now, onEnd)
  return store.batches.get(batchId)
}

function finish(store: BatchStore, batch: SimBatch, end: SimBatchEnd, now: number, onEnd?: OnEnd): void {
  const staged = onEnd?.(batch, end, now)
  const unrun = end === 'failed' ? null : end === 'cancelled' ? 'cancelled' : 'expired'
  store.batches.end(batch, end, now, unrun, staged?.publish)
}
