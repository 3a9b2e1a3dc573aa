/** Reading the ledger: an org's entries, newest first, paged by entry id. */
import { and, desc, eq, inArray, lt, sql } from 'drizzle-orm'
import type { Deps } from '../../deps'
import { ledgerEntriesTable, type LedgerEntryRow } from './table'
import type { Balance } from './ledger'

/** A page of entries plus whether more follow. */
export interface LedgerPage {
  entries: LedgerEntryRow[]
  hasMore: boolean
}

/** The org's entries with id below `after` (when given), newest first, at most `limit`. */
export function listLedgerEntries(deps: Deps, orgId: string, opts: { after?: number; limit: number }): LedgerPage {
  const rows = deps.db
    .select()
    .from(ledgerEntriesTable)
    .where(and(eq(ledgerEntriesTable.orgId, orgId), opts.after !== undefined ? lt(ledgerEntriesTable.id, opts.after) : undefined))
    .orderBy(desc(ledgerEntriesTable.id))
    .limit(opts.limit + 1)
    .all()
  return { entries: rows.slice(0, opts.limit), hasMore: rows.length > opts.limit }
}

/** Balances of many orgs in one query; orgs without entries get zeros. */
export function getBalances(deps: Deps, orgIds: string[]): Map<string, Balance> {
  const out = new Map<string, Balance>(orgIds.map((id) => [id, { available: 0, reserved: 0 }]))
  if (orgIds.length === 0) return out
  const rows = deps.db
    .select({ orgId: ledgerEntriesTable.orgId, available: sql<number>`coalesce(sum(${ledgerEntriesTable.deltaAvailable}), 0)`, reserved: sql<number>`coalesce(sum(${ledgerEntriesTable.deltaReserved}), 0)` })
    .from(ledgerEntriesTable)
    .where(inArray(ledgerEntriesTable.orgId, orgIds))
    .groupBy(ledgerEntriesTable.orgId)
    .all()
  for (const r of rows) out.set(r.orgId, { available: Number(r.available), reserved: Number(r.reserved) })
  return out
}
