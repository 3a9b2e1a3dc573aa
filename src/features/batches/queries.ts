/** Reads of batches, their item counts, usage and lanes, always scoped to an org. */
import { and, desc, eq, notInArray, sql, type SQL } from 'drizzle-orm'
import type { Statement } from 'bun:sqlite'
import type { Deps } from '../../deps'
import type { Db } from '../../db/client'
import { notFound } from '../../lib/errors'
import { isBatchStatus, TERMINAL_BATCH_STATUSES } from './state'
import { batchesTable, type BatchRow } from './table'
import { itemsTable, type ItemStatus } from '../items/index'

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

/** The org's batch; another org's or an unfinished create answers 404. */
export function getBatchForOrg(deps: Deps, orgId: string, batchId: string): BatchRow {
  const row = deps.db.select().from(batchesTable).where(and(eq(batchesTable.id, batchId), eq(batchesTable.orgId, orgId))).get()
  if (!row || row.status === 'creating') throw notFound('batch', batchId)
  return row
}

interface TotalsRow {
  status: ItemStatus
  n: number
  input: number
  output: number
  cached: number
  cost: number
  inLane: number | null
}

/** Per database: the totals query, prepared once (bun:sqlite, no SQL building per GET). */
const totalsStatements = new WeakMap<Db, Statement<TotalsRow, [string, string | null]>>()

function totalsStatement(deps: Deps): Statement<TotalsRow, [string, string | null]> {
  let statement = totalsStatements.get(deps.db)
  if (!statement) {
    // Walks the (batch_id, status) index in order, so the GROUP BY needs no temporary b-tree.
    statement = deps.db.$client.prepare<TotalsRow, [string, string | null]>(
      `SELECT status, count(*) AS n, coalesce(sum(input_tokens), 0) AS input, coalesce(sum(output_tokens), 0) AS output,
              coalesce(sum(cached_tokens), 0) AS cached, coalesce(sum(cost_micros), 0) AS cost, sum(lane_id = ?2) AS inLane
       FROM items WHERE batch_id = ?1 GROUP BY status`,
    )
    totalsStatements.set(deps.db, statement)
  }
  return statement
}

/**
 * Counts per item status plus summed usage and cost, from one indexed GROUP BY. With `laneId`,
 * also that lane's completed/failed counts from the same pass (`inLane`) — for a batch with a
 * single lane this replaces `laneCounts`, a second scan of every item.
 */
export function batchTotals(deps: Deps, batchId: string, laneId?: string): BatchTotals & { inLane?: { completed: number; failed: number } } {
  const rows = totalsStatement(deps).all(batchId, laneId ?? null)
  const counts: ItemCounts = { total: 0, pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0, expired: 0 }
  const totals = { inputTokens: 0, outputTokens: 0, cachedTokens: 0, costMicros: 0 }
  const inLane = { completed: 0, failed: 0 }
  for (const r of rows) {
    const n = Number(r.n)
    counts.total += n
    // queued items are pending to the client: not yet sent anywhere.
    counts[r.status === 'queued' ? 'pending' : r.status] += n
    totals.inputTokens += Number(r.input)
    totals.outputTokens += Number(r.output)
    totals.cachedTokens += Number(r.cached)
    totals.costMicros += Number(r.cost)
    if (r.status === 'completed') inLane.completed += Number(r.inLane ?? 0)
    if (r.status === 'failed' || r.status === 'cancelled' || r.status === 'expired') inLane.failed += Number(r.inLane ?? 0)
  }
  return laneId === undefined ? { counts, ...totals } : { counts, ...totals, inLane }
}

/** The id of an unfinished batch of any org that reads `fileId` as its input, or null (files' delete guard). */
export function batchReadingFile(deps: Deps, fileId: string): string | null {
  const row = deps.db.select({ id: batchesTable.id }).from(batchesTable).where(and(eq(batchesTable.inputFileId, fileId), notInArray(batchesTable.status, [...TERMINAL_BATCH_STATUSES]))).limit(1).get()
  return row?.id ?? null
}

/** Per-lane completed/failed counts. */
export function laneCounts(deps: Deps, batchId: string): Map<string, { completed: number; failed: number }> {
  const rows = deps.db
    .select({ laneId: itemsTable.laneId, status: itemsTable.status, n: sql<number>`count(*)` })
    .from(itemsTable)
    .where(eq(itemsTable.batchId, batchId))
    .groupBy(itemsTable.laneId, itemsTable.status)
    .all()
  const out = new Map<string, { completed: number; failed: number }>()
  for (const r of rows) {
    if (!r.laneId) continue
    const entry = out.get(r.laneId) ?? { completed: 0, failed: 0 }
    if (r.status === 'completed') entry.completed += Number(r.n)
    if (r.status === 'failed' || r.status === 'cancelled' || r.status === 'expired') entry.failed += Number(r.n)
    out.set(r.laneId, entry)
  }
  return out
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

