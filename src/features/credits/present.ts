/** Ledger rows and balances → API objects (money as 6-decimal USD strings). */
import { toIso } from '../../lib/clock'
import { formatMicros } from '../../lib/money'
import type { Balance } from './ledger'
import type { LedgerEntryRow } from './table'
import type { LedgerPage } from './service'

/** `{credit_balance, reserved_balance, currency}`: credit_balance is what can be spent now. */
export function presentBalance(balance: Balance) {
  return { credit_balance: formatMicros(balance.available), reserved_balance: formatMicros(balance.reserved), currency: 'usd' as const }
}

/** One ledger entry; `amount` is signed only for adjustments, the deltas always are. */
export function presentLedgerEntry(row: LedgerEntryRow) {
  return {
    id: row.id,
    object: 'ledger_entry' as const,
    org_id: row.orgId,
    kind: row.kind,
    amount: formatMicros(row.amount),
    delta_available: formatMicros(row.deltaAvailable),
    delta_reserved: formatMicros(row.deltaReserved),
    currency: 'usd' as const,
    reference: row.reference,
    reservation_id: row.reservationId,
    batch_id: row.batchId,
    note: row.note,
    created_at: toIso(row.createdAt),
  }
}

/** The list envelope for a page of entries. */
export function presentLedgerPage(page: LedgerPage) {
  const data = page.entries.map(presentLedgerEntry)
  return { object: 'list' as const, data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: page.hasMore }
}
