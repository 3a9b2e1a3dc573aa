/**
 * Submitting lanes of batch-dialect offerings as provider jobs. Per lane: claim its due queued
 * items (running, leased), build their entries outside any transaction, split them into provider
 * batches within the adapter's limits (one model each), write one `submitting` row per provider
 * batch with its items BEFORE the remote create, then create remotely and record the remote id.
 * A failed create is retried (the same row: first `find`, then resubmit) up to
 * MAX_SUBMIT_ATTEMPTS times, then the job fails over. A stopped batch's submission is aborted
 * and its items stopped.
 */
import { and, eq, ne } from 'drizzle-orm'
import type { Deps } from '../deps'
import { backoffMs } from '../lib/backoff'
import { providerJobsTable, type ProviderJobRow } from '../features/dispatch/index'
import { splitEntries } from '../providers/batch-split'
import type { BatchEntry } from '../providers/types'
import { failoverItems } from './failover'
import { applyJobOutcomes, stoppedOutcomes, type JobOutcome } from './provider-job-outcomes'
import { buildEntries } from './provider-job-requests'
import { batchFacts, claimLaneItems, createProviderJobs, endJob, laneRatesOf, recordSubmitted, rescheduleJob, runningItemsOf } from './provider-job-store'
import { callError, type Target } from './provider-target'

/** Create attempts per provider job before its items fail over. */
export const MAX_SUBMIT_ATTEMPTS = 3

/** Hooks the runner gives the submitter: abort registration and the immediate first poll. */
export interface SubmitHooks {
  /** An AbortSignal that fires when the batch's work is stopped; call `done` when finished. */
  register(batchId: string): { signal: AbortSignal; done: () => void }
  /** Polls the job right away (turnaround may be short). */
  collectNow(jobId: string): Promise<void>
}

/** Claims and submits one lane's due items; returns how many items were claimed. */
export async function submitLane(deps: Deps, t: Target, laneId: string, hooks: SubmitHooks, now: number): Promise<number> {
  const items = claimLaneItems(deps, laneId, t.offering.offering_id, t.adapter.limits.maxRequests, now)
  if (items.length === 0) return 0
  const batchId = items[0]!.batchId
  const batch = batchFacts(deps, batchId)
  const meta = { provider: t.provider.id, rates: laneRatesOf(deps, laneId) }
  const attempts = new Map(items.map((i) => [i.id, i.attempts]))
  if (!batch) return items.length
  const built = await buildEntries(deps, t.adapter, items, { inputPath: batch.inputPath, orgId: batch.orgId }, t.upstreamModel)
  const plan = splitEntries(built.entries, t.adapter.limits)
  const tooLarge: JobOutcome[] = plan.oversized.map((e) => ({ ok: false, itemId: e.request.itemId, error: { kind: 'invalid_request', retryable: false, message: `The item is larger than one ${t.adapter.kind} provider batch may hold.` } }))
  applyJobOutcomes(deps, meta, attempts, [...built.failures, ...tooLarge], deps.clock.now())
  const jobs = createProviderJobs(deps, { batchId, laneId, provider: t.provider.id, offeringId: t.offering.offering_id, kind: t.adapter.kind }, plan.chunks, deps.clock.now())
  for (const [k, job] of jobs.entries()) await sendJob(deps, t, job, plan.chunks[k]!, hooks)
  return items.length
}

/** Creates the remote job for `job` (a leased `submitting` row) and polls it once. */
export async function sendJob(deps: Deps, t: Target, job: ProviderJobRow, entries: BatchEntry[], hooks: SubmitHooks): Promise<void> {
  const stop = hooks.register(job.batchId)
  let remoteId: string
  try {
    remoteId = (await t.adapter.submit(t.endpoint, { jobId: job.id, entries }, stop.signal)).remoteId
  } catch (err) {
    stop.done()
    return onSubmitError(deps, job, err)
  }
  stop.done()
  recordSubmitted(deps, job.id, remoteId, deps.clock.now())
  await hooks.collectNow(job.id)
}

async function onSubmitError(deps: Deps, job: ProviderJobRow, err: unknown): Promise<void> {
  const now = deps.clock.now()
  const batch = batchFacts(deps, job.batchId)
  const items = runningItemsOf(deps, job.id)
  if (!batch || batch.endIntent) {
    const attempts = new Map(items.map((i) => [i.id, i.attempts]))
    applyJobOutcomes(deps, { provider: job.provider, rates: laneRatesOf(deps, job.laneId) }, attempts, stoppedOutcomes(attempts.keys(), batch?.endIntent ?? 'cancelled'), now)
    return endJob(deps, job.id, 'cancelled', 'batch_stopped', now)
  }
  const e = callError(err)
  const attempts = job.attempts + 1
  deps.log.warn('provider job not created', { job_id: job.id, attempt: attempts, kind: e.kind, error: e.message })
  if (e.retryable && attempts < MAX_SUBMIT_ATTEMPTS) {
    return rescheduleJob(deps, job.id, now + Math.max(e.retryAfterMs ?? 0, backoffMs(attempts, { baseMs: 1000, maxMs: 60_000 })), { attempts, error: e.message })
  }
  failoverItems(deps, job, items.map((i) => i.id), 'provider_failed', now)
  endJob(deps, job.id, 'failed', 'provider_failed', now, e.message)
}

/**
 * A `submitting` job found by collect-results (a failed create to retry, or a crash): adopt the
 * remote job if the provider shows one for it, else rebuild its entries and create it again.
 */
export async function resubmitJob(deps: Deps, t: Target, job: ProviderJobRow, hooks: SubmitHooks, now: number): Promise<void> {
  const batch = batchFacts(deps, job.batchId)
  const items = runningItemsOf(deps, job.id)
  if (!batch || batch.endIntent) return onSubmitError(deps, job, new Error('batch stopped'))
  // Nothing left to send (its items were settled elsewhere): close the row, neutral for the circuit.
  if (items.length === 0) return endJob(deps, job.id, 'cancelled', 'batch_stopped', now)
  try {
    const found = await t.adapter.find(t.endpoint, { jobId: job.id, submittedAt: job.createdAt, requestCount: job.itemCount })
    if (found && !isAdopted(deps, found, job.id)) {
      recordSubmitted(deps, job.id, found, now)
      return hooks.collectNow(job.id)
    }
  } catch (err) {
    const e = callError(err)
    if (e.retryable) return rescheduleJob(deps, job.id, now + backoffMs(job.attempts + 1, { baseMs: 1000, maxMs: 60_000 }))
  }
  const attempts = new Map(items.map((i) => [i.id, i.attempts]))
  const built = await buildEntries(deps, t.adapter, items, { inputPath: batch.inputPath, orgId: batch.orgId }, t.upstreamModel, new Map(items.map((i) => [i.id, i.customId])))
  applyJobOutcomes(deps, { provider: job.provider, rates: laneRatesOf(deps, job.laneId) }, attempts, built.failures, now)
  if (built.entries.length === 0) return endJob(deps, job.id, 'ended', null, now)
  await sendJob(deps, t, job, built.entries.map((e) => e.entry), hooks)
}

/** True when another provider job already owns `remoteId` (a find must not adopt it twice). */
function isAdopted(deps: Deps, remoteId: string, jobId: string): boolean {
  return deps.db.select({ id: providerJobsTable.id }).from(providerJobsTable).where(and(eq(providerJobsTable.remoteId, remoteId), ne(providerJobsTable.id, jobId))).get() !== undefined
}
