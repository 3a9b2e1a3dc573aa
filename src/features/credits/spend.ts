/**
 * Spend per day for the console's chart: the org's charges minus refunds, summed per UTC day over
 * the last `days` days (today included), one aggregate query over the org's ledger entries.
 */
import { and, eq, gte, inArray, sql } from 'drizzle-orm'
import type { Deps } from '../../deps'
import { AppError } from '../../lib/errors'
import { formatMicros } from '../../lib/money'
import { ledgerEntriesTable } from './table'

const DAY_MS = 86_400_000
/** Longest window one request may ask for. */
export const MAX_SPEND_DAYS = 366

export interface DailySpend {
  /** UTC day, `YYYY-MM-DD`. */
  date: string
  /** Charges minus refunds that day, micro-dollars. */
  micros: number
}

/** Every day of the window, oldest first, zero-filled. Throws 400 validation_failed for a bad `days`. */
export function spendPerDay(deps: Deps, orgId: string, days: number): DailySpend[] {
  if (!Number.isInteger(days) || days < 1 || days > MAX_SPEND_DAYS) {
    throw new AppError('validation_failed', { message: `Invalid query parameter 'days': must be a whole number from 1 to ${MAX_SPEND_DAYS}.`, param: 'days' })
  }
  const today = Math.floor(deps.clock.now() / DAY_MS)
  const first = today - days + 1
  const e = ledgerEntriesTable
  // Integer division keeps the bucketing portable (SQLite and PostgreSQL alike).
  const day = sql<number>`${e.createdAt} / ${DAY_MS}`
  const rows = deps.db
    .select({ day, micros: sql<number>`sum(case ${e.kind} when 'charge' then ${e.amount} else -${e.amount} end)` })
    .from(e)
    .where(and(eq(e.orgId, orgId), inArray(e.kind, ['charge', 'refund']), gte(e.createdAt, first * DAY_MS)))
    .groupBy(day)
    .all()
  const byDay = new Map(rows.map((r) => [Number(r.day), Number(r.micros)]))
  return Array.from({ length: days }, (_, i) => ({ date: new Date((first + i) * DAY_MS).toISOString().slice(0, 10), micros: byDay.get(first + i) ?? 0 }))
}

/** The wire shape: `{object:"spend", currency, days, total, data:[{date, amount}]}`. */
export function presentSpend(days: DailySpend[]) {
  return {
    object: 'spend' as const,
    currency: 'usd' as const,
    days: days.length,
    total: formatMicros(days.reduce((sum, d) => sum + d.micros, 0)),
    data: days.map((d) => ({ date: d.date, amount: formatMicros(d.micros) })),
  }
}
