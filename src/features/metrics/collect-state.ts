/**
 * Gauges read from SQLite when `/metrics` is scraped: batches by native status, items of
 * unfinished batches by status, and ledger totals. Each is one aggregate query over an index
 * (the ledger one scans ledger_entries, a few rows per batch), so a scrape stays cheap.
 */
import { inArray, sql } from 'drizzle-orm'
import { Gauge } from 'prom-client'
import type { Deps } from '../../deps'
import { BATCH_STATUSES, TERMINAL_BATCH_STATUSES, batchesTable } from '../batches/index'
import { ITEM_STATUSES, itemsTable } from '../items/index'
import { ledgerEntriesTable } from '../credits/index'
import { MICROS_PER_USD } from '../../lib/money'

/** Registers the state gauges on `deps.metrics.registry`; their values are read from `deps.db` on every scrape. */
export function registerStateGauges(deps: Deps): void {
  const registers = [deps.metrics.registry]
  new Gauge({
    name: 'batchrouter_batches',
    help: 'Batches by native status (every status listed, 0 when none).',
    labelNames: ['status'] as const,
    registers,
    collect() {
      fill(this, BATCH_STATUSES, countBatchesByStatus(deps))
    },
  })
  new Gauge({
    name: 'batchrouter_active_items',
    help: 'Items of batches not yet in a terminal status, by item status (finished batches are left out to keep the scrape cheap).',
    labelNames: ['status'] as const,
    registers,
    collect() {
      fill(this, ITEM_STATUSES, countActiveItemsByStatus(deps))
    },
  })
  new Gauge({
    name: 'batchrouter_ledger_usd',
    help: 'Ledger totals in USD over all orgs: granted (grants plus operator adjustments), charged (charges minus refunds), reserved (held by running batches now).',
    labelNames: ['total'] as const,
    registers,
    collect() {
      const totals = ledgerTotals(deps)
      for (const [total, micros] of Object.entries(totals)) this.set({ total }, micros / MICROS_PER_USD)
    },
  })
}

/** Sets every known status (0 when absent) and any unexpected one the query returned. */
function fill(gauge: Gauge<'status'>, known: readonly string[], counts: Map<string, number>): void {
  gauge.reset()
  for (const status of new Set([...known, ...counts.keys()])) gauge.set({ status }, counts.get(status) ?? 0)
}

/** Batches per native status (statuses with none are absent). */
export function countBatchesByStatus(deps: Deps): Map<string, number> {
  const rows = deps.db.select({ status: batchesTable.status, n: sql<number>`count(*)` }).from(batchesTable).groupBy(batchesTable.status).all()
  return new Map(rows.map((r) => [r.status, Number(r.n)]))
}

/** Items of unfinished batches per item status: walks only unfinished batches, then counts their items on the (batch_id, status) index. */
export function countActiveItemsByStatus(deps: Deps): Map<string, number> {
  const unfinished = BATCH_STATUSES.filter((s) => !TERMINAL_BATCH_STATUSES.includes(s))
  const active = deps.db.select({ id: batchesTable.id }).from(batchesTable).where(inArray(batchesTable.status, unfinished))
  const rows = deps.db.select({ status: itemsTable.status, n: sql<number>`count(*)` }).from(itemsTable).where(inArray(itemsTable.batchId, active)).groupBy(itemsTable.status).all()
  return new Map(rows.map((r) => [r.status, Number(r.n)]))
}

/** Ledger totals over all orgs in micro-dollars: granted (grants + adjustments), charged (charges − refunds), reserved now. */
export function ledgerTotals(deps: Deps): { granted: number; charged: number; reserved: number } {
  const e = ledgerEntriesTable
  const row = deps.db
    .select({
      granted: sql<number>`coalesce(sum(case when ${e.kind} in ('grant', 'adjust') then ${e.amount} end), 0)`,
      charged: sql<number>`coalesce(sum(case ${e.kind} when 'charge' then ${e.amount} when 'refund' then -${e.amount} end), 0)`,
      reserved: sql<number>`coalesce(sum(${e.deltaReserved}), 0)`,
    })
    .from(e)
    .get()
  return { granted: Number(row?.granted ?? 0), charged: Number(row?.charged ?? 0), reserved: Number(row?.reserved ?? 0) }
}
