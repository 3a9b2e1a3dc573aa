/**
 * The batch dialects' shared state and clock-driven life cycle. A simulated batch is a list of
 * lines with scheduled finish times over simulated time (`now` is injected): lines run when
 * their time comes (`advance`), and the batch ends completed at `turnaround_s`, expired then
 * when the scenario says `expire` (only the first half of its lines ran), or cancelled after a
 * cancel. Dialect modules decide what a line's answer looks like on their wire.
 */

/** Turnaround of a batch when the scenario names none: fast, so demos finish in seconds. */
export const DEFAULT_TURNAROUND_S = 1

/** An uploaded or generated file (OpenAI Files API). */
export interface SimFile {
  id: string
  filename: string
  purpose: string
  content: Uint8Array
  createdAt: number
}

/** What became of one line: it ran (with its wire answer), or it never ran. */
export type LineResult = { ran: true; ok: boolean; wire: Record<string, unknown> } | { ran: false; why: 'expired' | 'cancelled' }

export interface SimBatchLine {
  customId: string
  /** The request as sent (OpenAI line `body`, Anthropic `params`). */
  body: Record<string, unknown>
  /** Simulated ms at which the line runs; Infinity when it will not run before the batch ends. */
  finishAt: number
  result?: LineResult
}

export type SimBatchEnd = 'completed' | 'expired' | 'cancelled' | 'failed'

export interface SimBatch {
  id: string
  dialect: 'openai' | 'anthropic'
  model: string | undefined
  createdAt: number
  turnaroundMs: number
  lines: SimBatchLine[]
  cancelRequestedAt: number | null
  endedAt: number | null
  end: SimBatchEnd | null
  /** OpenAI: file-level validation failures; the batch fails once validation time has passed. */
  errors: { code: string; message: string; line: number | null }[]
  /** OpenAI-only fields. */
  openai?: { endpoint: string; inputFileId: string; completionWindow: string; metadata: Record<string, string> | null; outputFileId: string | null; errorFileId: string | null }
}

export interface BatchLimits {
  maxRequests: number
  maxBytes: number
}

/** Provider limits the simulator enforces (research §A.6, §B.5); tests may lower them. */
export interface SimBatchLimits {
  openai: BatchLimits
  anthropic: BatchLimits
}

export const DEFAULT_SIM_BATCH_LIMITS: SimBatchLimits = {
  openai: { maxRequests: 50_000, maxBytes: 200 * 1024 * 1024 },
  anthropic: { maxRequests: 100_000, maxBytes: 256 * 1024 * 1024 },
}

export interface BatchStore {
  files: Map<string, SimFile>
  batches: Map<string, SimBatch>
  limits: SimBatchLimits
}

export function createBatchStore(limits: Partial<SimBatchLimits> = {}): BatchStore {
  return { files: new Map(), batches: new Map(), limits: { ...DEFAULT_SIM_BATCH_LIMITS, ...limits } }
}

/** A random id with a dialect prefix (`batch_`, `file-`, `msgbatch_`): never reused after a reset. */
export function simId(prefix: string): string {
  return prefix + crypto.randomUUID().replace(/-/g, '').slice(0, 24)
}

/** Share of the turnaround spent validating (OpenAI `validating`) before lines start running. */
const VALIDATING_SHARE = 0.1
/** Lines finish by this share of the turnaround; the rest is `finalizing`. */
const RUNNING_UNTIL_SHARE = 0.9

/**
 * Schedules every line: spread evenly over the running window; with `expire`, only the first
 * half is scheduled and the rest never runs.
 */
export function scheduleLines(batch: SimBatch, expire: boolean): void {
  const n = batch.lines.length
  const runnable = expire ? Math.floor(n / 2) : n
  const start = batch.createdAt + batch.turnaroundMs * VALIDATING_SHARE
  const span = batch.turnaroundMs * (RUNNING_UNTIL_SHARE - VALIDATING_SHARE)
  batch.lines.forEach((line, i) => {
    line.finishAt = i < runnable ? start + (span * (i + 1)) / Math.max(1, runnable) : Number.POSITIVE_INFINITY
  })
}

/** Where a live batch is in its life (before `advance` has ended it). */
export function phaseOf(batch: SimBatch, now: number): 'validating' | 'in_progress' | 'finalizing' {
  if (now < batch.createdAt + batch.turnaroundMs * VALIDATING_SHARE) return 'validating'
  return now < batch.createdAt + batch.turnaroundMs * RUNNING_UNTIL_SHARE ? 'in_progress' : 'finalizing'
}

/**
 * Runs every line whose time has come (through `run`, in order) and ends the batch when its
 * time has come: failed (validation errors), cancelled (a cancel was asked), expired or
 * completed (turnaround reached). Idempotent; an ended batch is left alone.
 */
export function advance(batch: SimBatch, now: number, run: (line: SimBatchLine) => Promise<LineResult>, onEnd: (batch: SimBatch) => void): Promise<void> {
  // One advance at a time per batch, so concurrent polls never run a line twice.
  const next = (advancing.get(batch) ?? Promise.resolve()).then(() => advanceNow(batch, now, run, onEnd))
  advancing.set(batch, next.catch(() => {}))
  return next
}

const advancing = new WeakMap<SimBatch, Promise<void>>()

async function advanceNow(batch: SimBatch, now: number, run: (line: SimBatchLine) => Promise<LineResult>, onEnd: (batch: SimBatch) => void): Promise<void> {
  if (batch.end) return
  const validated = now >= batch.createdAt + batch.turnaroundMs * VALIDATING_SHARE
  if (batch.errors.length > 0) {
    if (validated) finish(batch, 'failed', now, onEnd)
    return
  }
  const cutoff = batch.cancelRequestedAt ?? Number.POSITIVE_INFINITY
  for (const line of batch.lines) {
    if (!line.result && line.finishAt <= now && line.finishAt <= cutoff) line.result = await run(line)
  }
  if (batch.cancelRequestedAt !== null) finish(batch, 'cancelled', now, onEnd)
  else if (now >= batch.createdAt + batch.turnaroundMs) finish(batch, batch.lines.some((l) => !l.result) ? 'expired' : 'completed', now, onEnd)
}

function finish(batch: SimBatch, end: SimBatchEnd, now: number, onEnd: (batch: SimBatch) => void): void {
  batch.end = end
  batch.endedAt = now
  const why = end === 'cancelled' ? 'cancelled' : 'expired'
  if (end !== 'failed') for (const line of batch.lines) line.result ??= { ran: false, why }
  onEnd(batch)
}

/** Lines that ran ok, ran and failed, and have not run (yet, or ever). */
export function lineCounts(batch: SimBatch): { ok: number; failed: number; notRun: number; expired: number; cancelled: number } {
  const c = { ok: 0, failed: 0, notRun: 0, expired: 0, cancelled: 0 }
  for (const l of batch.lines) {
    if (!l.result) c.notRun++
    else if (!l.result.ran) c[l.result.why]++
    else if (l.result.ok) c.ok++
    else c.failed++
  }
  return c
}
