/**
 * Following provider jobs. A claimed job is polled outside any transaction, then what was learned
 * is recorded:
 * - still running → next poll (1 s … 60 s, growing with age); no progress for longer than the
 *   offering's expected turnaround → the job is cancelled remotely as `lane_stalled`, and given up
 *   CANCEL_GRACE_MS later if the provider never confirms;
 * - terminal → every result line goes through the outcome path (finished items are kept), and the
 *   job's unfinished items fail over — or are stopped when our batch was cancelled or expired, or
 *   retried when a completed job simply lacked their line.
 * Our batch being stopped makes its jobs due at once: `stopJob` asks the provider to cancel (best
 * effort, not awaited), takes the results if the job already ended, and otherwise stops the job's
 * unfinished items right away — a provider's cancel can take minutes.
 */
import type { BatchAdapter, ItemOutcome, ProviderEndpoint, ProviderJobStatus, RemoteJobState } from '../../providers/types'
import { recordOutcomes, stoppedOutcomes, type PendingOutcome } from './outcomes'
import { detachRequeued, endJob, isAdopted, jobLog, laneRatesOf, rescheduleJob, runningItemsOf, type JobItem } from './provider-jobs'
import { callError, failOver, type BatchContext } from './job-failover'
import type { WorkBatch } from './ports'
import type { ProviderJobCause } from './state'
import type { ProviderJobRow } from './table'
import type { BatchTarget } from './targets'

/** How long a cancel may take to be confirmed before the job is given up (OpenAI: up to 10 min). */
export const CANCEL_GRACE_MS = 10 * 60_000
/** Outcomes applied per transaction while streaming results. */
const APPLY_EVERY = 500
/** Longest wait for the one look at a stopped batch's job (and for its results). */
const STOP_LOOK_MS = 10_000
const STOP_RESULTS_MS = 60_000

type End = { state: RemoteJobState | 'gave_up' | 'lost'; withResults: boolean; error?: string; resultsTimeoutMs?: number }

/** The message of a job the provider no longer knows. */
export const LOST_JOB_ERROR = 'provider batch job lost (the provider answered 404 for it, e.g. after a restart)'

/** Delay before the next poll: a fifth of the job's age, between `pollMinMs` and `pollMaxMs` (config `providerJobs`; 1 s and 60 s by default). */
export function pollDelayMs(ageMs: number, bounds: { pollMinMs: number; pollMaxMs: number } = { pollMinMs: 1000, pollMaxMs: 60_000 }): number {
  return Math.min(bounds.pollMaxMs, Math.max(bounds.pollMinMs, Math.round(ageMs / 5)))
}

/** Polls one claimed `running` job and records the outcome; never throws for provider trouble. */
export async function pollJob(ctx: BatchContext, t: BatchTarget, job: ProviderJobRow, batch: WorkBatch, now: number, signal?: AbortSignal): Promise<void> {
  let cancelAt = job.cancelRequestedAt
  let cause = job.cause
  let status: ProviderJobStatus | null = null
  try {
    status = await t.adapter.poll(t.endpoint, job.remoteId!, signal)
  } catch (err) {
    const e = callError(err)
    if (e.status === 404) return onLost(ctx, t, job, batch, now)
    if (!e.retryable) return finishJob(ctx, t, job, batch, { state: 'failed', withResults: false, error: `provider refused the poll: ${e.message}` }, now)
  }
  if (status && status.state !== 'running' && status.state !== 'cancelling') {
    const error = status.state === 'failed' ? `provider reported failed${status.error ? `: ${status.error}` : ''}` : undefined
    return finishJob(ctx, t, { ...job, cause }, batch, { state: status.state, withResults: status.resultsReady, ...(error ? { error } : {}) }, now)
  }
  const done = status ? status.counts.completed + status.counts.failed : job.progressCount
  const progressAt = done > job.progressCount ? now : (job.progressAt ?? job.submittedAt ?? now)
  if (cancelAt !== null && now - cancelAt > CANCEL_GRACE_MS) return finishJob(ctx, t, { ...job, cause: cause ?? 'lane_stalled' }, batch, { state: 'gave_up', withResults: false }, now)
  if (cancelAt === null && now - progressAt > t.offering.turnaround_seconds * 1000) {
    jobLog(ctx.deps, job).warn('provider job stalled', { quiet_ms: now - progressAt })
    await cancelQuietly(t.adapter, t.endpoint, job.remoteId!)
    cancelAt = now
    cause = 'lane_stalled'
  }
  // Right after a cancel request, look again soon: the provider usually confirms it quickly.
  const bounds = ctx.deps.config.providerJobs
  const next = now + (cancelAt === now ? pollDelayMs(0, bounds) : pollDelayMs(now - (job.submittedAt ?? now), bounds))
  rescheduleJob(ctx.deps, job.id, cancelAt !== null ? Math.min(next, cancelAt + CANCEL_GRACE_MS + 1) : next, { lastPolledAt: now, progressAt, progressCount: Math.max(done, job.progressCount), cancelRequestedAt: cancelAt, cause })
}

/**
 * The provider does not know the job's remote id: re-adopt the remote job it shows for our job id
 * (its metadata) if that is another one, else end the job as lost — its items are sent again.
 */
async function onLost(ctx: BatchContext, t: BatchTarget, job: ProviderJobRow, batch: WorkBatch, now: number): Promise<void> {
  const found = await t.adapter.find(t.endpoint, { jobId: job.id, submittedAt: job.createdAt, requestCount: job.itemCount }).catch(() => null)
  if (found && found !== job.remoteId && !isAdopted(ctx.deps, found, job.id)) {
    jobLog(ctx.deps, job).warn('provider job re-adopted', { lost_remote_id: job.remoteId, remote_id: found })
    return rescheduleJob(ctx.deps, job.id, now, { remoteId: found, lastPolledAt: now })
  }
  jobLog(ctx.deps, job).warn('provider job lost', { remote_id: job.remoteId })
  return finishJob(ctx, t, { ...job, cause: 'provider_lost' }, batch, { state: 'lost', withResults: false, error: LOST_JOB_ERROR }, now)
}

/**
 * Our batch was stopped: cancel remotely (not awaited), and unless `quick` (a call to this
 * provider was just aborted) look once at the job — results of a job that already ended are
 * kept — then stop whatever is unfinished.
 */
export async function stopJob(ctx: BatchContext, t: BatchTarget, job: ProviderJobRow, batch: WorkBatch, now: number, quick: boolean): Promise<void> {
  if (!job.remoteId) return finishJob(ctx, t, { ...job, cause: 'batch_stopped' }, batch, { state: 'cancelled', withResults: false }, now)
  if (job.cancelRequestedAt === null) void cancelQuietly(t.adapter, t.endpoint, job.remoteId, AbortSignal.timeout(STOP_RESULTS_MS))
  let status: ProviderJobStatus | null = null
  if (!quick) status = await t.adapter.poll(t.endpoint, job.remoteId, AbortSignal.timeout(STOP_LOOK_MS)).catch(() => null)
  const ended = status !== null && status.state !== 'running' && status.state !== 'cancelling'
  return finishJob(ctx, t, { ...job, cause: 'batch_stopped' }, batch, { state: ended ? status!.state : 'cancelled', withResults: ended && status!.resultsReady, resultsTimeoutMs: STOP_RESULTS_MS }, now)
}

/** Applies results, settles what is left over, and ends the job. `t` is null when the provider is no longer configured. */
export async function finishJob(ctx: BatchContext, t: BatchTarget | null, job: ProviderJobRow, batch: WorkBatch, end: End, now: number): Promise<void> {
  const { deps, ports } = ctx
  const items = runningItemsOf(deps, job.id)
  const meta = { provider: job.provider, rates: laneRatesOf(deps, job.laneId) }
  if (t && end.withResults && job.remoteId) {
    const ok = await applyResults(ctx, t, { ...job, remoteId: job.remoteId }, items, meta, now, end.resultsTimeoutMs)
    if (!ok && !batch.endIntent) return rescheduleJob(deps, job.id, now + pollDelayMs(now - (job.submittedAt ?? now), deps.config.providerJobs), { lastPolledAt: now })
  }
  detachRequeued(deps, job.id)
  const { status, cause } = endOf(end.state, job.cause, batch)
  const remaining = runningItemsOf(deps, job.id)
  if (remaining.length > 0) {
    if (batch.endIntent) recordOutcomes(deps, ports, stoppedOutcomes(remaining, meta, batch.endIntent), now)
    else if (status === 'ended') {
      const error = { kind: 'malformed_response' as const, retryable: true, message: 'The provider batch ended without a result for this item.' }
      recordOutcomes(deps, ports, remaining.map((i) => ({ itemId: i.id, attempt: i.attempts, ...meta, outcome: { ok: false as const, itemId: i.id, error } })), now)
      detachRequeued(deps, job.id)
    } else failOver(ctx, job, batch, remaining, cause ?? 'provider_failed', now, end.error ? { detail: end.error } : {})
  }
  endJob(deps, job.id, status, cause, now, end.error)
  jobLog(deps, job).info('provider job ended', { status, cause, leftover: remaining.length })
}

/** Streams every result line onto the job's running items; false when the download failed and should be retried. */
async function applyResults(ctx: BatchContext, t: BatchTarget, job: ProviderJobRow & { remoteId: string }, items: JobItem[], meta: Pick<PendingOutcome, 'provider' | 'rates'>, now: number, timeoutMs?: number): Promise<boolean> {
  const attempts = new Map(items.map((i) => [i.id, i.attempts]))
  let buffer: PendingOutcome[] = []
  const add = (outcome: ItemOutcome) => {
    const attempt = attempts.get(outcome.itemId)
    if (attempt !== undefined) buffer.push({ itemId: outcome.itemId, attempt, ...meta, outcome })
  }
  const flush = () => {
    recordOutcomes(ctx.deps, ctx.ports, buffer, now)
    buffer = []
  }
  try {
    for await (const outcome of t.adapter.results(t.endpoint, { remoteId: job.remoteId, items: new Map(items.map((i) => [i.customId, i.id])) }, timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined)) {
      if (!outcome.ok && outcome.error.kind === 'not_run') continue // re-routed below, never counted as an attempt's failure
      add(outcome)
      if (buffer.length >= APPLY_EVERY) flush()
    }
    flush()
    return true
  } catch (err) {
    flush()
    const e = callError(err)
    jobLog(ctx.deps, job).warn('provider job results not read', { remote_id: job.remoteId, error: e.message })
    return !e.retryable
  }
}

/** Our status and cause for how the remote job ended. */
function endOf(state: End['state'], cause: ProviderJobCause | null, batch: WorkBatch): { status: 'ended' | 'failed' | 'expired' | 'cancelled'; cause: ProviderJobCause | null } {
  const stopped = batch.endIntent ? 'batch_stopped' : null
  switch (state) {
    case 'ended':
      return { status: 'ended', cause: cause === 'batch_stopped' ? cause : null }
    case 'expired':
      return { status: 'expired', cause: stopped ?? 'provider_expired' }
    case 'cancelled':
      return { status: 'cancelled', cause: stopped ?? cause ?? 'provider_failed' }
    case 'lost':
      return { status: stopped ? 'cancelled' : 'failed', cause: stopped ?? 'provider_lost' }
    case 'gave_up':
      return { status: stopped ? 'cancelled' : 'failed', cause: stopped ?? cause ?? 'lane_stalled' }
    default:
      return { status: 'failed', cause: stopped ?? 'provider_failed' }
  }
}

async function cancelQuietly(adapter: BatchAdapter, endpoint: ProviderEndpoint, remoteId: string, signal?: AbortSignal): Promise<void> {
  try {
    await adapter.cancel(endpoint, remoteId, signal)
  } catch {
    // Best effort: a job that already ended cannot be cancelled; the next poll tells.
  }
}
