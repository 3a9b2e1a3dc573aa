/**
 * Provider-job rows and the items they carry: their lease kind and claims, and every write, each
 * one short synchronous transaction. The provider I/O around them lives in batch-submit.ts and
 * batch-collect.ts.
 */
import { and, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm'
import type { Deps } from '../../deps'
import type { Log } from '../../lib/log'
import { writeTx } from '../../db/tx'
import { newId } from '../../lib/ids'
import type { BatchEntry } from '../../providers/types'
import { itemsTable } from '../items/index'
import { defineClaim, endLeaseInTx, openLeaseInTx, sqlList, type LeaseKind } from './leases'
import { ITEM_LEASES, type ClaimedItem } from './item-work'
import { providerJobTransitionFrom, UNFINISHED_PROVIDER_JOB_STATUSES, type ProviderJobCause, type ProviderJobRowStatus } from './state'
import { lanesTable, providerJobsTable, type ProviderJobRow } from './table'
import type { LaneRates } from './outcomes'

/** A submitting job is left alone this long by collect-results (the submitter holds it; an upload plus a create may take two 5-minute HTTP timeouts). */
export const SUBMIT_LEASE_MS = 30 * 60_000
/** A claimed poll holds its job this long. */
export const POLL_LEASE_MS = 5 * 60_000
/** How long claimed items may wait for their provider job row before rescue gives them back. */
export const CLAIM_LEASE_MS = 10 * 60_000

/** Provider jobs whose lease lapsed are due again at once (a lost poll, or a submitter that died). */
export const PROVIDER_JOB_LEASES: LeaseKind & { table: typeof providerJobsTable } = {
  name: 'provider-jobs',
  table: providerJobsTable,
  giveBack: { set: 'next_poll_at = min(next_poll_at, $now)', where: `status IN (${sqlList(UNFINISHED_PROVIDER_JOB_STATUSES)})` },
  nudge: 'collect-results',
}

const DUE = `status IN (${sqlList(UNFINISHED_PROVIDER_JOB_STATUSES)}) AND next_poll_at <= $now`
const JOB_FIELDS = ['id', 'batchId', 'laneId', 'provider', 'offeringId', 'kind', 'status', 'cause', 'remoteId', 'itemCount', 'attempts', 'createdAt', 'submittedAt', 'lastPolledAt', 'progressAt', 'progressCount', 'cancelRequestedAt', 'endedAt', 'nextPollAt', 'leaseId', 'error'] as const

/** Unfinished jobs due for a look, soonest first (collect-results). */
export const claimDueJobs = defineClaim({ kind: PROVIDER_JOB_LEASES, where: DUE, orderBy: 'next_poll_at', returning: JOB_FIELDS })
/** One job, when it is due (its first poll right after submission). Params: `id`. */
export const claimJob = defineClaim({ kind: PROVIDER_JOB_LEASES, where: `id = $id AND ${DUE}`, orderBy: 'id', returning: JOB_FIELDS })

/** The log of one provider job: every line carries its batch, job, provider and offering. */
export function jobLog(deps: Deps, job: { id: string; batchId: string; provider: string; offeringId: string }): Log {
  return deps.log.child({ batch_id: job.batchId, job_id: job.id, provider: job.provider, offering_id: job.offeringId })
}

/** Lanes of an offering with queued items whose time has come (oldest first). */
export function lanesWithDueItems(deps: Deps, offeringId: string, now: number, limit: number): string[] {
  return deps.db
    .selectDistinct({ laneId: itemsTable.laneId })
    .from(itemsTable)
    .where(and(eq(itemsTable.offeringId, offeringId), eq(itemsTable.status, 'queued'), or(isNull(itemsTable.nextAttemptAt), lte(itemsTable.nextAttemptAt, now))))
    .limit(limit)
    .all()
    .flatMap((r) => (r.laneId ? [r.laneId] : []))
}

export interface JobBase {
  batchId: string
  laneId: string
  provider: string
  offeringId: string
  kind: string
}

/**
 * Writes one `submitting` row per chunk — leased to the submitter — and points each chunk's items
 * at it with their custom ids, before anything is sent, so a crash leaves a row to reconcile. The
 * items leave their claim's lease (`itemLeaseId`, ended here): the job row holds them now.
 */
export function createProviderJobs(deps: Deps, base: JobBase, chunks: BatchEntry[][], itemLeaseId: string, now: number): ProviderJobRow[] {
  return writeTx(deps.db, () => {
    const leaseId = openLeaseInTx(deps, PROVIDER_JOB_LEASES, 'batch-runner', now + SUBMIT_LEASE_MS)
    const setItem = deps.db.update(itemsTable).set({ providerJobId: sql`${sql.placeholder('jobId')}`, providerCustomId: sql`${sql.placeholder('customId')}`, leaseId: null })
      .where(and(eq(itemsTable.id, sql.placeholder('itemId')), eq(itemsTable.status, 'running'))).prepare()
    const rows = chunks.map((entries) => {
      const id = newId('providerJob')
      const [row] = deps.db.insert(providerJobsTable).values({ ...base, id, status: 'submitting', itemCount: entries.length, createdAt: now, nextPollAt: now + SUBMIT_LEASE_MS, leaseId }).returning().all()
      for (const e of entries) setItem.run({ jobId: id, customId: e.customId, itemId: e.request.itemId })
      return row!
    })
    endLeaseInTx(deps, ITEM_LEASES, itemLeaseId, now)
    return rows
  })
}

/** The remote job exists: running, due for its first poll now, lease released. */
export function recordSubmitted(deps: Deps, jobId: string, remoteId: string, now: number): void {
  writeTx(deps.db, () => {
    deps.db.update(providerJobsTable).set({ status: 'running', remoteId, submittedAt: now, progressAt: now, attempts: sql`${providerJobsTable.attempts} + 1`, nextPollAt: now, leaseId: null, error: null })
      .where(and(eq(providerJobsTable.id, jobId), inArray(providerJobsTable.status, providerJobTransitionFrom(['submitting'], 'running')))).run()
  })
}

/** Releases a job's lease with a new poll time and any field changes (stays in its status). */
export function rescheduleJob(deps: Deps, jobId: string, nextPollAt: number, fields: Partial<typeof providerJobsTable.$inferInsert> = {}): void {
  writeTx(deps.db, () => {
    deps.db.update(providerJobsTable).set({ ...fields, nextPollAt, leaseId: null }).where(eq(providerJobsTable.id, jobId)).run()
  })
}

/** Ends a job (terminal status, cause, error), releasing its lease. */
export function endJob(deps: Deps, jobId: string, status: Exclude<ProviderJobRowStatus, 'submitting' | 'running'>, cause: ProviderJobCause | null, now: number, error?: string): void {
  writeTx(deps.db, () => {
    deps.db.update(providerJobsTable).set({ status, cause, endedAt: now, leaseId: null, ...(error ? { error } : {}) })
      .where(and(eq(providerJobsTable.id, jobId), inArray(providerJobsTable.status, providerJobTransitionFrom.into(status, UNFINISHED_PROVIDER_JOB_STATUSES)))).run()
  })
}

/** Makes a batch's unfinished jobs due now (its work is being stopped); returns how many. */
export function markBatchJobsDue(deps: Deps, batchId: string, now: number): number {
  return writeTx(deps.db, () => deps.db.update(providerJobsTable).set({ nextPollAt: now }).where(and(eq(providerJobsTable.batchId, batchId), inArray(providerJobsTable.status, [...UNFINISHED_PROVIDER_JOB_STATUSES]))).returning({ id: providerJobsTable.id }).all().length)
}

export interface JobItem extends ClaimedItem {
  customId: string
}

/** The job's items still running, with their custom ids (what the results may still settle). */
export function runningItemsOf(deps: Deps, jobId: string): JobItem[] {
  return deps.db
    .select({ id: itemsTable.id, batchId: itemsTable.batchId, laneId: itemsTable.laneId, offset: itemsTable.offset, length: itemsTable.length, operation: itemsTable.operation, url: itemsTable.url, model: itemsTable.model, attempts: itemsTable.attempts, leaseId: itemsTable.leaseId, customId: itemsTable.providerCustomId })
    .from(itemsTable)
    .where(and(eq(itemsTable.providerJobId, jobId), eq(itemsTable.status, 'running')))
    .all()
    .map((r) => ({ ...r, customId: r.customId ?? r.id }))
}

/** Items re-queued for a retry leave their job, so the next provider job can take them. */
export function detachRequeued(deps: Deps, jobId: string): void {
  writeTx(deps.db, () => {
    deps.db.update(itemsTable).set({ providerJobId: null, providerCustomId: null }).where(and(eq(itemsTable.providerJobId, jobId), eq(itemsTable.status, 'queued'))).run()
  })
}

/** The lane's locked rates and SLA multiplier (zero rates for an unknown lane: nothing is charged rather than guessed). */
export function laneRatesOf(deps: Deps, laneId: string): LaneRates {
  const lane = deps.db.select({ input: lanesTable.inputRate, output: lanesTable.outputRate, slaMultiplierBps: lanesTable.slaMultiplierBps }).from(lanesTable).where(eq(lanesTable.id, laneId)).get()
  return lane ?? { input: 0, output: 0, slaMultiplierBps: 10_000 }
}

/** The job's row while it is still submitting or running. */
export function unfinishedJob(deps: Deps, jobId: string): ProviderJobRow | undefined {
  return deps.db.select().from(providerJobsTable).where(and(eq(providerJobsTable.id, jobId), inArray(providerJobsTable.status, [...UNFINISHED_PROVIDER_JOB_STATUSES]))).get()
}

/** Whether another provider job already owns `remoteId` (a find must not adopt it twice). */
export function isAdopted(deps: Deps, remoteId: string, jobId: string): boolean {
  return deps.db.select({ id: providerJobsTable.id }).from(providerJobsTable).where(and(eq(providerJobsTable.remoteId, remoteId), sql`${providerJobsTable.id} <> ${jobId}`)).get() !== undefined
}
