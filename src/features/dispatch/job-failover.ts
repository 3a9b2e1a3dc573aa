/**
 * When a provider job cannot finish its items — it failed, was lost, expired or stalled, or its
 * creation kept failing — its unfinished items are stopped (the batch is being cancelled or
 * expired), sent again to the same offering (a failed or lost job), moved down their lane's
 * fallback ladder (features/routing, through the ports), or failed when no fallback can take
 * them in time. Finished items never move.
 */
import type { Deps } from '../../deps'
import { providerError } from '../../providers/http-errors'
import { ProviderCallError, type ProviderError } from '../../providers/types'
import { liveOffering } from '../catalog/index'
import { MAX_ATTEMPTS, recordOutcomes, stoppedOutcomes } from './outcomes'
import { detachRequeued, jobLog, laneRatesOf } from './provider-jobs'
import type { WorkBatch, WorkPorts } from './ports'
import type { ProviderJobCause } from './state'

/** What the batch runner's modules share: the app's deps and the ports to the features above. */
/** A resend must leave this much room beyond the offering's turnaround before the SLA deadline (the outcome path's backoff, at most 60 s). */
const RESEND_MARGIN_MS = 60_000

export interface BatchContext {
  deps: Deps
  ports: WorkPorts
}

/** Causes whose items are first sent again to the same offering (the job, not the offering, went wrong). */
const RETRY_SAME_OFFERING: readonly ProviderJobCause[] = ['provider_failed', 'provider_lost']

/** The job whose unfinished items fail over. */
export interface FailingJob {
  id: string
  laneId: string
  provider: string
  offeringId: string
}

/**
 * Stops, resends or re-routes `items` (running items of `job`); returns how many moved to a
 * fallback lane. A failed or lost job's items are sent again to the same offering while they
 * have attempts left and its turnaround still fits the SLA deadline (not when its provider's
 * circuit is open, nor with `resend: false`); the rest go down the lane's fallback ladder, and fail — with `detail`, the
 * real cause — when no fallback can take them in time.
 */
export function failOver(ctx: BatchContext, job: FailingJob, batch: WorkBatch, items: readonly { id: string; attempts: number }[], cause: ProviderJobCause, now: number, opts: { detail?: string; resend?: boolean } = {}): number {
  const { deps, ports } = ctx
  if (items.length === 0) return 0
  const meta = { provider: job.provider, rates: laneRatesOf(deps, job.laneId) }
  if (batch.endIntent) {
    recordOutcomes(deps, ports, stoppedOutcomes(items, meta, batch.endIntent), now)
    return 0
  }
  const { detail } = opts
  const resend = opts.resend !== false && RETRY_SAME_OFFERING.includes(cause)
  const rest = resend ? resendToSameOffering(ctx, job, batch, items, cause, now, detail) : items
  if (rest.length === 0) return 0
  const tries = Math.max(...rest.map((i) => i.attempts))
  const fullDetail = [detail, resend ? `${tries} attempt${tries === 1 ? '' : 's'} on ${job.offeringId}` : null].filter(Boolean).join('; ')
  const where = ports.reroute(deps, job, batch, rest.map((i) => i.id), cause, now, fullDetail || undefined)
  if (where.toLaneId !== null) {
    jobLog(deps, { ...job, batchId: batch.id }).info('provider job failed over', { cause, to_lane: where.toLaneId, items: where.moved })
    deps.nudge('dispatch-items')
    return where.moved
  }
  const error: ProviderError = { kind: 'server_error', retryable: false, message: where.message }
  recordOutcomes(deps, ports, rest.map((i) => ({ itemId: i.id, attempt: i.attempts, ...meta, outcome: { ok: false as const, itemId: i.id, error } })), now)
  return 0
}

/**
 * Re-queues on their own lane (same offering, after the outcome path's backoff) the items that
 * may run there again; returns the others. Resent items leave the job at once.
 */
function resendToSameOffering<T extends { id: string; attempts: number }>(ctx: BatchContext, job: FailingJob, batch: WorkBatch, items: readonly T[], cause: ProviderJobCause, now: number, detail?: string): readonly T[] {
  const { deps, ports } = ctx
  const live = liveOffering(deps.catalog(), job.offeringId)
  const fits = live !== null && now + RESEND_MARGIN_MS + live.offering.turnaround_seconds * 1000 <= batch.slaDeadline
  if (!fits || ports.circuitOpen(deps, job.provider, now)) return items
  const again = items.filter((i) => i.attempts < MAX_ATTEMPTS)
  if (again.length === 0) return items
  const message = `${cause === 'provider_lost' ? 'The provider batch job was lost' : 'The provider batch failed'}${detail ? ` (${detail})` : ''}; the item is sent again.`
  const error: ProviderError = { kind: 'server_error', retryable: true, message }
  const meta = { provider: job.provider, rates: laneRatesOf(deps, job.laneId) }
  recordOutcomes(deps, ports, again.map((i) => ({ itemId: i.id, attempt: i.attempts, ...meta, outcome: { ok: false as const, itemId: i.id, error } })), now)
  detachRequeued(deps, job.id)
  jobLog(deps, { ...job, batchId: batch.id }).info('provider job items sent again', { cause, items: again.length })
  deps.nudge('dispatch-items')
  const resent = new Set(again.map((i) => i.id))
  return items.filter((i) => !resent.has(i.id))
}

/** The ProviderError of anything an adapter threw (an unexpected exception counts as a retryable server error). */
export function callError(err: unknown): ProviderError {
  if (err instanceof ProviderCallError) return err.error
  return providerError('server_error', `Unexpected error talking to the provider: ${err instanceof Error ? err.message.slice(0, 200) : 'unknown'}.`)
}
