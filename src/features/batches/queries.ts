/** Reads of batches, their item counts, usage and lanes, always scoped to an org. */
import { and, desc, eq, notInArray, sql, type SQL } from 'drizzle-orm'
import type { Deps } from '../../deps'
import type { Db } from '../../db/client'
import { notFound } from '../../lib/errors'
import { isBatchStatus, TERMINAL_BATCH_STATUSES } from './state'
import { batchesTable, type BatchRow } from './table'
import { itemTotalsOf } from '../items/index'

export interface ItemCounts {
  total: number
  pending: number
  running: number
  completed: number
  failed: number
  cancelled: number
  expired: number
}

export interface BatchTotals {
  counts: ItemCounts
  inputTokens: number
  outputTokens: number
  cachedTokens: number
  costMicros: number
}

/** Per database: the batch-by-org read, prepared once (every batch request starts with it). */
const batchForOrgStatements = new WeakMap<Db, { get(v: { id: string; orgId: string }): BatchRow | undefined }>()

/** The org's batch; another org's or an unfinished create answers 404. */
export function getBatchForOrg(deps: Deps, orgId: string, batchId: string): BatchRow {
  let statement = batchForOrgStatements.get(deps.db)
  if (!statement) {
    statement = deps.db.select().from(batchesTable).where(and(eq(batchesTable.id, sql.placeholder('id')), eq(batchesTable.orgId, sql.placeholder('orgId')))).prepare()
    batchForOrgStatements.set(deps.db, statement)
  }
  const row = statement.get({ id: batchId, orgId })
  if (!row || row.status === 'creating') throw notFound('batch', batchId)
  return row
}

/** Completed and failed (incl. cancelled and expired) items of one lane. */
export interface LaneCounts {
  completed: number
  failed: number
}

/**
 * Counts per item status plus summed usage and cost, and per lane its completed/failed counts,
 * from item_totals (kept by triggers in the transactions that change items): a few rows read
 * whatever the batch's size, never a scan of its items.
 */
export function batchTotals(deps: Deps, batchId: string): BatchTotals & { perLane: Map<string, LaneCounts> } {
  const counts: ItemCounts = { total: 0, pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0, expired: 0 }
  const totals = { inputTokens: 0, outputTokens: 0, cachedTokens: 0, costMicros: 0 }
  const perLane = new Map<string, LaneCounts>()
  for (const g of itemTotalsOf(deps.db, batchId)) {
    counts.total += g.n
    // queued items are pending to the client: not yet sent anywhere.
    counts[g.status === 'queued' ? 'pending' : g.status] += g.n
    totals.inputTokens += g.inputTokens
    totals.outputTokens += g.outputTokens
    totals.cachedTokens += g.cachedTokens
    totals.costMicros += g.costMicros
    if (g.laneId === '') continue
    const lane = perLane.get(g.laneId) ?? { completed: 0, failed: 0 }
    if (g.status === 'completed') lane.completed += g.n
    if (g.status === 'failed' || g.status === 'cancelled' || g.status === 'expired') lane.failed += g.n
    perLane.set(g.laneId, lane)
  }
  return { counts, ...totals, perLane }
}

/** The id of an unfinished batch of any org that reads `fileId` as its input, or null (files' delete guard). */
export function batchReadingFile(deps: Deps, fileId: string): string | null {
  const row = deps.db.select({ id: batchesTable.id }).from(batchesTable).where(and(eq(batchesTable.inputFileId, fileId), notInArray(batchesTable.status, [...TERMINAL_BATCH_STATUSES]))).limit(1).get()
  return row?.id ?? null
}

/** Newest-first page of the org's batches after the cursor batch id. */
export function listBatchesForOrg(deps: Deps, orgId: string, opts: { after?: string; limit: number; status?: string }): { rows: BatchRow[]; hasMore: boolean } {
  const conditions: SQL[] = [eq(batchesTable.orgId, orgId), sql`${batchesTable.status} <> 'creating'`]
  // An unknown status matches no batch.
  if (opts.status) conditions.push(isBatchStatus(opts.status) ? eq(batchesTable.status, opts.status) : sql`0`)
  if (opts.after) {
    const cursor = deps.db.select({ createdAt: batchesTable.createdAt, id: batchesTable.id }).from(batchesTable).where(and(eq(batchesTable.id, opts.after), eq(batchesTable.orgId, orgId))).get()
    if (!cursor) throw notFound('batch', opts.after)
    conditions.push(sql`(${batchesTable.createdAt} < ${cursor.createdAt} OR (${batchesTable.createdAt} = ${cursor.createdAt} AND ${batchesTable.id} < ${cursor.id}))`)
  }
  const rows = deps.db.select().from(batchesTable).where(and(...conditions)).orderBy(desc(batchesTable.createdAt), desc(batchesTable.id)).limit(opts.limit + 1).all()
  return { rows: rows.slice(0, opts.limit), hasMore: rows.length > opts.limit }
}

