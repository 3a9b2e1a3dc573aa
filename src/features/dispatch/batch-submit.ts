/**
 * Submitting lanes of batch-dialect offerings as provider jobs. Per lane: claim its due queued
 * items (one lease), build their entries outside any transaction, split them into provider
 * batches within the adapter's limits, write one `submitting` row per provider batch with its
 * items BEFORE the remote create, then create remotely and record the remote id. A failed create
 * is retried (the same row: first `find`, then resubmit) up to MAX_SUBMIT_ATTEMPTS times, then
 * the job fails over. A stopped batch's submission is aborted and its items stopped.
 */
import { writeTx } from '../../db/tx'
import { backoffMs } from '../../lib/backoff'
import { splitEntries, type SizedEntry } from '../../providers/batch-split'
import type { BatchEntry } from '../../providers/types'
import { claimLaneItems, readLines, requestOf, type BatchInput, type ClaimedItem } from './item-work'
import { recordOutcomes, stoppedOutcomes, type PendingOutcome } from './outcomes'
import { CLAIM_LEASE_MS, createProviderJobs, endJob, isAdopted, jobLog, laneRatesOf, recordSubmitted, rescheduleJob, runningItemsOf } from './provider-jobs'
import { callError, failOver, type BatchContext } from './job-failover'
import type { BatchTarget } from './targets'
import type { ProviderJobRow } from './table'

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
export async function submitLane(ctx: BatchContext, t: BatchTarget, laneId: string, hooks: SubmitHooks, now: number): Promise<number> {
  const { deps, ports } = ctx
  const claim = writeTx(deps.db, () => {
    const claimed = claimLaneItems.claimInTx(deps, { holder: 'batch-runner', until: now + CLAIM_LEASE_MS, limit: t.adapter.limits.maxRequests, now, params: { laneId, offeringId: t.offering.offering_id } })
    if (claimed.rows.length > 0) ports.startedInTx(deps, new Set(claimed.rows.map((i) => i.batchId)), now)
    return claimed
  })
  const items = claim.rows.sort((a, b) => a.offset - b.offset)
  if (claim.leaseId === null || items.length === 0) return 0
  const batchId = items[0]!.batchId
  const batch = ports.batch(deps, batchId)
  if (!batch) return items.length
  const meta = { provider: t.provider.id, rates: laneRatesOf(deps, laneId) }
  const built = await buildEntries(ctx, t, items, batch, meta)
  const plan = splitEntries(built.entries, t.adapter.limits)
  const tooLarge = plan.oversized.map((e) => failure(items, e.request.itemId, meta, `The item is larger than one ${t.adapter.kind} provider batch may hold.`))
  recordOutcomes(deps, ports, [...built.failures, ...tooLarge], deps.clock.now())
  const jobs = createProviderJobs(deps, { batchId, laneId, provider: t.provider.id, offeringId: t.offering.offering_id, kind: t.adapter.kind }, plan.chunks, claim.leaseId, deps.clock.now())
  for (const [k, job] of jobs.entries()) await sendJob(ctx, t, job, plan.chunks[k]!, hooks)
  return items.length
}

/** Creates the remote job for `job` (a leased `submitting` row) and polls it once. */
export async function sendJob(ctx: BatchContext, t: BatchTarget, job: ProviderJobRow, entries: BatchEntry[], hooks: SubmitHooks): Promise<void> {
  const stop = hooks.register(job.batchId)
  let remoteId: string
  try {
    remoteId = (await t.adapter.submit(t.endpoint, { jobId: job.id, entries }, stop.signal)).remoteId
  } catch (err) {
    stop.done()
    return onSubmitError(ctx, job, err)
  }
  stop.done()
  recordSubmitted(ctx.deps, job.id, remoteId, ctx.deps.clock.now())
  await hooks.collectNow(job.id)
}

async function onSubmitError(ctx: BatchContext, job: ProviderJobRow, err: unknown): Promise<void> {
  const { deps, ports } = ctx
  const now = deps.clock.now()
  const batch = ports.batch(deps, job.batchId)
  const items = runningItemsOf(deps, job.id)
  if (!batch || batch.endIntent) {
    recordOutcomes(deps, ports, stoppedOutcomes(items, { provider: job.provider, rates: laneRatesOf(deps, job.laneId) }, batch?.endIntent ?? 'cancelled'), now)
    return endJob(deps, job.id, 'cancelled', 'batch_stopped', now)
  }
  const e = callError(err)
  const attempts = job.attempts + 1
  jobLog(deps, job).warn('provider job not created', { attempt: attempts, kind: e.kind, error: e.message })
  if (e.retryable && attempts < MAX_SUBMIT_ATTEMPTS) {
    return rescheduleJob(deps, job.id, now + Math.max(e.retryAfterMs ?? 0, backoffMs(attempts, { baseMs: 1000, maxMs: 60_000 })), { attempts, error: e.message })
  }
  // The create itself kept failing (or was refused): sending the same items there again would not help.
  failOver(ctx, job, batch, items, 'provider_failed', now, { detail: `the provider did not accept the batch: ${e.message}`, resend: false })
  endJob(deps, job.id, 'failed', 'provider_failed', now, e.message)
}

/**
 * A `submitting` job found by collect-results (a failed create to retry, or a crash): adopt the
 * remote job if the provider shows one for it, else rebuild its entries and create it again.
 */
export async function resubmitJob(ctx: BatchContext, t: BatchTarget, job: ProviderJobRow, hooks: SubmitHooks, now: number): Promise<void> {
  const { deps, ports } = ctx
  const batch = ports.batch(deps, job.batchId)
  const items = runningItemsOf(deps, job.id)
  if (!batch || batch.endIntent) return onSubmitError(ctx, job, new Error('batch stopped'))
  // Nothing left to send (its items were settled elsewhere): close the row, neutral for the circuit.
  if (items.length === 0) return endJob(deps, job.id, 'cancelled', 'batch_stopped', now)
  try {
    const found = await t.adapter.find(t.endpoint, { jobId: job.id, submittedAt: job.createdAt, requestCount: job.itemCount })
    if (found && !isAdopted(deps, found, job.id)) {
      recordSubmitted(deps, job.id, found, now)
      return hooks.collectNow(job.id)
    }
  } catch (err) {
    // The look-up counts as a try like a create: a provider that keeps failing is given up on after MAX_SUBMIT_ATTEMPTS.
    if (callError(err).retryable) return onSubmitError(ctx, job, err)
  }
  const meta = { provider: job.provider, rates: laneRatesOf(deps, job.laneId) }
  const built = await buildEntries(ctx, t, items, batch, meta, new Map(items.map((i) => [i.id, i.customId])))
  recordOutcomes(deps, ports, built.failures, now)
  if (built.entries.length === 0) return endJob(deps, job.id, 'ended', null, now)
  await sendJob(ctx, t, job, built.entries.map((e) => e.entry), hooks)
}

interface BuiltEntries {
  entries: SizedEntry[]
  /** Items that cannot be sent (unreadable line, untranslatable body): never retried. */
  failures: PendingOutcome[]
}

/** Entries in the order of `items`, sized by the adapter; `customIds` keeps the ids already recorded for a job (resubmission). */
async function buildEntries(ctx: BatchContext, t: BatchTarget, items: readonly ClaimedItem[], input: BatchInput, meta: Pick<PendingOutcome, 'provider' | 'rates'>, customIds?: ReadonlyMap<string, string>): Promise<BuiltEntries> {
  const lines = await readLines(input, items)
  const out: BuiltEntries = { entries: [], failures: [] }
  for (const [index, item] of items.entries()) {
    try {
      const request = await requestOf(ctx.deps, item, lines.get(item.id), input, t.upstreamModel)
      const entry = { customId: customIds?.get(item.id) ?? t.adapter.customIdFor(item.id, index), request }
      const encoded = t.adapter.encode(entry)
      if (encoded.ok) out.entries.push({ entry, bytes: encoded.bytes })
      else out.failures.push({ itemId: item.id, attempt: item.attempts, ...meta, outcome: { ok: false, itemId: item.id, error: encoded.error } })
    } catch (err) {
      ctx.deps.log.warn('item could not be sent', { batch_id: item.batchId, item_id: item.id, error: err instanceof Error ? err.message : String(err) })
      out.failures.push(failure(items, item.id, meta, 'The item could not be turned into a provider request (its input file or image may be missing).'))
    }
  }
  return out
}

/** A final (never retried) invalid_request outcome for one of `items`. */
function failure(items: readonly ClaimedItem[], itemId: string, meta: Pick<PendingOutcome, 'provider' | 'rates'>, message: string): PendingOutcome {
  const attempt = items.find((i) => i.id === itemId)?.attempts ?? 0
  return { itemId, attempt, ...meta, outcome: { ok: false, itemId, error: { kind: 'invalid_request', retryable: false, message } } }
}

