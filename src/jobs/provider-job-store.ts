/**
 * Reads and writes of provider-job rows (batches/table `provider_jobs`) and of the items they
 * carry. Every write is one short synchronous transaction; the provider I/O around them lives in
 * submit-provider-jobs.ts and collect-results.ts.
 */
import { and, asc, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm'
import type { Deps } from '../deps'
import type { Db } from '../db/client'
import { writeTx } from '../db/tx'
import { newId } from '../lib/ids'
import { batchesTable, transitionFrom } from '../features/batches/index'
import { itemsTable } from '../features/items/index'
import { lanesTable, providerJobsTable, type ProviderJobCause, type ProviderJobRow, type ProviderJobRowStatus } from '../features/dispatch/index'
import type { BatchEntry } from '../providers/types'
import type { ClaimedItem } from './dispatch-execute'

/** A submitting job is left alone this long by collect-results (the submitter owns it; an upload plus a create may take two 5-minute HTTP timeouts). */
export const SUBMIT_LEASE_MS = 30 * 60_000
/** A claimed poll owns its job this long. */
export const POLL_LEASE_MS = 5 * 60_000
/** How long claimed items may wait for their provider job row before rescue-leases re-queues them. */
export const CLAIM_LEASE_MS = 10 * 60_000

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

/** Claims up to `limit` due queued items of a lane in input order: running, leased, attempts + 1; their batch → processing. */
export function claimLaneItems(deps: Deps, laneId: string, offeringId: string, limit: number, now: number): ClaimedItem[] {
  return writeTx(deps.db, () => {
    const due = deps.db.select({ id: itemsTable.id }).from(itemsTable)
      .where(and(eq(itemsTable.laneId, laneId), eq(itemsTable.offeringId, offeringId), eq(itemsTable.status, 'queued'), or(isNull(itemsTable.nextAttemptAt), lte(itemsTable.nextAttemptAt, now))))
      .orderBy(asc(itemsTable.seq)).limit(limit).all()
    if (due.length === 0) return []
    const items: ClaimedItem[] = []
    for (let i = 0; i < due.length; i += 500) {
      items.push(...deps.db.update(itemsTable).set({ status: 'running', leaseUntil: now + CLAIM_LEASE_MS, attempts: sql`${itemsTable.attempts} + 1` })
        .where(inArray(itemsTable.id, due.slice(i, i + 500).map((d) => d.id)))
        .returning({ id: itemsTable.id, batchId: itemsTable.batchId, laneId: itemsTable.laneId, offset: itemsTable.offset, length: itemsTable.length, operation: itemsTable.operation, url: itemsTable.url, model: itemsTable.model, attempts: itemsTable.attempts }).all())
    }
    deps.db.update(batchesTable).set({ status: 'processing', updatedAt: now }).where(and(eq(batchesTable.id, items[0]!.batchId), inArray(batchesTable.status, transitionFrom(['dispatched'], 'processing')))).run()
    return items.sort((a, b) => a.offset - b.offset)
  })
}

export interface JobBase {
  batchId: string
  laneId: string
  provider: string
  offeringId: string
  kind: string
}

/**
 * Writes one `submitting` row per chunk (leased to the submitter) and points each chunk's items
 * at it with their custom ids — before anything is sent, so a crash leaves a row to reconcile.
 */
export function createProviderJobs(deps: Deps, base: JobBase, chunks: BatchEntry[][], now: number): ProviderJobRow[] {
  return writeTx(deps.db, () => {
    const setItem = deps.db.update(itemsTable).set({ providerJobId: sql`${sql.placeholder('jobId')}`, providerCustomId: sql`${sql.placeholder('customId')}`, leaseUntil: null })
      .where(and(eq(itemsTable.id, sql.placeholder('itemId')), eq(itemsTable.status, 'running'))).prepare()
    return chunks.map((entries) => {
      const id = newId('providerJob')
      const [row] = deps.db.insert(providerJobsTable).values({ ...base, id, status: 'submitting', itemCount: entries.length, createdAt: now, nextPollAt: now + SUBMIT_LEASE_MS, leaseUntil: now + SUBMIT_LEASE_MS }).returning().all()
      for (const e of entries) setItem.run({ jobId: id, customId: e.customId, itemId: e.request.itemId })
      return row!
    })
  })
}

/** The remote job exists: running, due for its first poll now, lease released. */
export function recordSubmitted(deps: Deps, jobId: string, remoteId: string, now: number): void {
  writeTx(deps.db, () => {
    deps.db.update(providerJobsTable).set({ status: 'running', remoteId, submittedAt: now, progressAt: now, attempts: sql`${providerJobsTable.attempts} + 1`, nextPollAt: now, leaseUntil: null, error: null })
      .where(and(eq(providerJobsTable.id, jobId), eq(providerJobsTable.status, 'submitting'))).run()
  })
}

/** Releases a job's lease with a new poll time and any field changes (stays in its status). */
export function rescheduleJob(deps: Deps, jobId: string, nextPollAt: number, fields: Partial<typeof providerJobsTable.$inferInsert> = {}): void {
  writeTx(deps.db, () => {
    deps.db.update(providerJobsTable).set({ ...fields, nextPollAt, leaseUntil: null }).where(eq(providerJobsTable.id, jobId)).run()
  })
}

/** Ends a job (terminal status, cause, error), releasing its lease. */
export function endJob(deps: Deps, jobId: string, status: Exclude<ProviderJobRowStatus, 'submitting' | 'running'>, cause: ProviderJobCause | null, now: number, error?: string): void {
  writeTx(deps.db, () => {
    deps.db.update(providerJobsTable).set({ status, cause, endedAt: now, leaseUntil: null, ...(error ? { error } : {}) }).where(eq(providerJobsTable.id, jobId)).run()
  })
}

const dueProbes = new WeakMap<Db, { all(v: { now: number }): unknown[] }>()

/** Whether any unfinished job is due and not leased (read-only). */
function anyJobDue(deps: Deps, now: number): boolean {
  let probe = dueProbes.get(deps.db)
  if (!probe) {
    probe = deps.db.select({ id: providerJobsTable.id }).from(providerJobsTable)
      .where(and(inArray(providerJobsTable.status, ['submitting', 'running']), lte(providerJobsTable.nextPollAt, sql.placeholder('now')), or(isNull(providerJobsTable.leaseUntil), lt(providerJobsTable.leaseUntil, sql.placeholder('now')))))
      .limit(1).prepare()
    dueProbes.set(deps.db, probe)
  }
  return probe.all({ now }).length > 0
}

/** Claims due unfinished jobs (optionally only `ids`) with a poll lease. */
export function claimDueJobs(deps: Deps, now: number, limit: number, ids?: string[]): ProviderJobRow[] {
  // Read first (a statement prepared once): collect-results runs every tick and usually finds nothing.
  if (!ids && !anyJobDue(deps, now)) return []
  return writeTx(deps.db, () => {
    const due = deps.db.select({ id: providerJobsTable.id }).from(providerJobsTable)
      .where(and(inArray(providerJobsTable.status, ['submitting', 'running']), lte(providerJobsTable.nextPollAt, now), or(isNull(providerJobsTable.leaseUntil), lt(providerJobsTable.leaseUntil, now)), ids ? inArray(providerJobsTable.id, ids) : undefined))
      .orderBy(asc(providerJobsTable.nextPollAt)).limit(limit).all()
    if (due.length === 0) return []
    return deps.db.update(providerJobsTable).set({ leaseUntil: now + POLL_LEASE_MS }).where(inArray(providerJobsTable.id, due.map((d) => d.id))).returning().all()
  })
}

/** Makes a batch's unfinished jobs due now (its work is being stopped). */
export function markBatchJobsDue(deps: Deps, batchId: string, now: number): number {
  return writeTx(deps.db, () => deps.db.update(providerJobsTable).set({ nextPollAt: now }).where(and(eq(providerJobsTable.batchId, batchId), inArray(providerJobsTable.status, ['submitting', 'running']))).returning({ id: providerJobsTable.id }).all().length)
}

export interface JobItem extends ClaimedItem {
  customId: string
}

/** The job's items still running, with their custom ids (what the results may still settle). */
export function runningItemsOf(deps: Deps, jobId: string): JobItem[] {
  return deps.db
    .select({ id: itemsTable.id, batchId: itemsTable.batchId, laneId: itemsTable.laneId, offset: itemsTable.offset, length: itemsTable.length, operation: itemsTable.operation, url: itemsTable.url, model: itemsTable.model, attempts: itemsTable.attempts, customId: itemsTable.providerCustomId })
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

/** Batch facts the provider-job code needs. */
export function batchFacts(deps: Deps, batchId: string) {
  return deps.db.select({ id: batchesTable.id, orgId: batchesTable.orgId, inputPath: batchesTable.inputPath, endIntent: batchesTable.endIntent, slaDeadline: batchesTable.slaDeadline, lockedRates: batchesTable.lockedRates }).from(batchesTable).where(eq(batchesTable.id, batchId)).get()
}

/** The lane's locked rates. */
export function laneRatesOf(deps: Deps, laneId: string): { input: number; output: number } {
  const lane = deps.db.select({ input: lanesTable.inputRate, output: lanesTable.outputRate }).from(lanesTable).where(eq(lanesTable.id, laneId)).get()
  return lane ?? { input: 0, output: 0 }
}

/** At start-up (this process owns the data dir) every provider-job lease was lost with the last process: release them, due now. */
export function releaseProviderJobLeases(deps: Deps, now: number): number {
  return writeTx(deps.db, () => deps.db.update(providerJobsTable).set({ leaseUntil: null, nextPollAt: now }).where(and(inArray(providerJobsTable.status, ['submitting', 'running']), sql`${providerJobsTable.leaseUntil} is not null`)).returning({ id: providerJobsTable.id }).all().length)
}

/** The job's row while it is still submitting or running. */
export function unfinishedJob(deps: Deps, jobId: string): ProviderJobRow | undefined {
  return deps.db.select().from(providerJobsTable).where(and(eq(providerJobsTable.id, jobId), inArray(providerJobsTable.status, ['submitting', 'running']))).get()
}
