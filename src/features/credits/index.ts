/** What other features may use of credits. */
export { ledgerEntriesTable, reservationsTable } from './table'
export type { LedgerEntryRow, ReservationRow } from './table'
export {
  getBalance,
  findEntryByReference,
  applyCreditInTx,
  grantCredits,
  grantCreditsInTx,
  reserveCreditsInTx,
  assertCanReserve,
  settleReservation,
  settleReservationInTx,
  getReservation,
  reconcileOrg,
  type Balance,
  type CreditInput,
  type CreditResult,
} from './ledger'
export { listLedgerEntries, getBalances, type LedgerPage } from './service'
export { presentBalance, presentLedgerEntry, presentLedgerPage } from './present'
export { LedgerEntryObject, LedgerList, LedgerQuery, BalanceFields, MoneyString } from './models'
export { creditsRoutes } from './routes'
export { pageLimit, numericCursor } from './paging'
