/**
 * Credit movements. Every function writes ledger entries (and the reservation row) inside the
 * caller's synchronous write transaction or its own; balances are derived from the entries and
 * are never allowed below zero. A movement's `reference` is unique, so repeating it is a no-op
 * that answers with the original entry.
 */
import { and, eq, sql } from 'drizzle-orm'
import type { Deps } from '../../deps'
import { writeTx } from '../../db/tx'
import { AppError } from '../../lib/errors'
import { formatMicros } from '../../lib/money'
import { newId } from '../../lib/ids'
import { ledgerEntriesTable, reservationsTable, type LedgerEntryRow, type ReservationRow } from './table'

export interface Balance {
  /** Spendable now: grants − charges − active reservations. */
  available: number
  reserved: number
}

type Kind = LedgerEntryRow['kind']

/** The org's balance, summed from its entries. */
export function getBalance(deps: Deps, orgId: string): Balance {
  const row = deps.db
    .select({ available: sql<number>`coalesce(sum(${ledgerEntriesTable.deltaAvailable}), 0)`, reserved: sql<number>`coalesce(sum(${ledgerEntriesTable.deltaReserved}), 0)` })
    .from(ledgerEntriesTable)
    .where(eq(ledgerEntriesTable.orgId, orgId))
    .get()
  return { available: Number(row?.available ?? 0), reserved: Number(row?.reserved ?? 0) }
}

/** The entry written under `reference`, or undefined. */
export function findEntryByReference(deps: Deps, reference: string): LedgerEntryRow | undefined {
  return deps.db.select().from(ledgerEntriesTable).where(eq(ledgerEntriesTable.reference, reference)).get()
}

interface EntryInput {
  orgId: string
  kind: Kind
  amount: number
  deltaAvailable: number
  deltaReserved: number
  reference: string
  reservationId?: string | null
  batchId?: string | null
  note?: string | null
}

/** Appends one entry unless its reference exists; returns the new row, or undefined when it was already written. */
function appendEntry(deps: Deps, e: EntryInput): LedgerEntryRow | undefined {
  return deps.db
    .insert(ledgerEntriesTable)
    .values({ ...e, reservationId: e.reservationId ?? null, batchId: e.batchId ?? null, note: e.note ?? null, createdAt: deps.clock.now() })
    .onConflictDoNothing({ target: ledgerEntriesTable.reference })
    .returning()
    .get()
}

/** Ledger writes that read a balance first must hold the write lock, or two writers could both pass the check. */
function assertInWriteTx(deps: Deps, fn: string): void {
  if (!deps.db.$client.inTransaction) throw new Error(`${fn} must run inside writeTx (BEGIN IMMEDIATE)`)
}

export interface CreditInput {
  orgId: string
  /** Micro-dollars: > 0 for a grant; signed and non-zero for an adjustment. */
  amount: number
  reference: string
  note?: string
  kind?: 'grant' | 'adjust'
}

export interface CreditResult {
  entry: LedgerEntryRow
  /** True when `reference` had already been written: nothing new was appended. */
  replayed: boolean
  balance: Balance
}

function assertCreditAmount(input: CreditInput): void {
  const kind = input.kind ?? 'grant'
  if (!Number.isSafeInteger(input.amount) || input.amount === 0 || (kind === 'grant' && input.amount < 0)) {
    throw new AppError('validation_failed', { message: 'amount must be a non-zero USD amount with at most 6 decimals (positive for a grant).', param: 'amount' })
  }
}

/**
 * Grants (kind `grant`, amount > 0) or adjusts (kind `adjust`, signed) an org's available credit.
 * Idempotent by reference: a repeat with the same org, kind and amount returns the original entry;
 * the reference reused for anything else throws 409 idempotency_key_reused. A movement that would
 * take available credit below zero throws 402 insufficient_credits; one that would take the balance
 * past Number.MAX_SAFE_INTEGER µ$ throws 400 validation_failed. Runs in the caller's writeTx.
 */
export function applyCreditInTx(deps: Deps, input: CreditInput): CreditResult {
  assertInWriteTx(deps, 'applyCreditInTx')
  assertCreditAmount(input)
  const kind = input.kind ?? 'grant'
  const existing = findEntryByReference(deps, input.reference)
  if (existing) {
    if (existing.orgId !== input.orgId || existing.kind !== kind || existing.amount !== input.amount) {
      throw new AppError('idempotency_key_reused', { message: `Reference '${input.reference}' was already used for a different credit movement; use a new reference.`, param: 'reference' })
    }
    return { entry: existing, replayed: true, balance: getBalance(deps, input.orgId) }
  }
  const balance = getBalance(deps, input.orgId)
  if (balance.available + input.amount < 0) {
    throw new AppError('insufficient_credits', {
      message: `An adjustment of ${formatMicros(input.amount)} USD would take the available balance below zero (available ${formatMicros(balance.available)} USD).`,
      param: 'amount',
      details: { available: formatMicros(balance.available), requested: formatMicros(input.amount) },
    })
  }
  // Balances are JavaScript numbers: past 2^53 µ$ they lose whole micro-dollars and every page showing them breaks.
  if (balance.available + balance.reserved + input.amount > Number.MAX_SAFE_INTEGER) {
    throw new AppError('validation_failed', {
      message: `A grant of ${formatMicros(input.amount)} USD would take the org's balance past ${formatMicros(Number.MAX_SAFE_INTEGER)} USD, the most it can hold.`,
      param: 'amount',
      details: { available: formatMicros(balance.available), reserved: formatMicros(balance.reserved), max_balance: formatMicros(Number.MAX_SAFE_INTEGER) },
    })
  }
  const entry = appendEntry(deps, { orgId: input.orgId, kind, amount: input.amount, deltaAvailable: input.amount, deltaReserved: 0, reference: input.reference, note: input.note })
  if (!entry) throw new Error(`ledger reference ${input.reference} appeared inside the write lock`)
  return { entry, replayed: false, balance: getBalance(deps, input.orgId) }
}

/** Grants or adjusts credit in its own write transaction; see applyCreditInTx. Returns the balance after. */
export function grantCredits(deps: Deps, input: CreditInput): Balance {
  assertCreditAmount(input)
  return writeTx(deps.db, () => applyCreditInTx(deps, input).balance)
}

/** grantCredits for a caller that already holds the write transaction. */
export function grantCreditsInTx(deps: Deps, input: CreditInput): Balance {
  return applyCreditInTx(deps, input).balance
}

/**
 * Reserves `amount` (≥ 0 micro-dollars) for a batch. Must run inside the caller's writeTx (batch
 * creation), so the reservation exists exactly when the batch does and concurrent reservations
 * cannot both pass the balance check. Throws 402 insufficient_credits when available credit is short.
 */
export function reserveCreditsInTx(deps: Deps, input: { orgId: string; batchId: string; amount: number }): ReservationRow {
  assertInWriteTx(deps, 'reserveCreditsInTx')
  if (!Number.isSafeInteger(input.amount) || input.amount < 0) throw new Error(`reservation amount must be a whole number of micro-dollars ≥ 0, got ${input.amount}`)
  const balance = getBalance(deps, input.orgId)
  if (input.amount > balance.available) {
    throw new AppError('insufficient_credits', {
      message: `This batch needs ${formatMicros(input.amount)} USD reserved but only ${formatMicros(balance.available)} is available. Add credits or send fewer items.`,
      details: { required: formatMicros(input.amount), available: formatMicros(balance.available), shortfall: formatMicros(input.amount - balance.available) },
    })
  }
  const reservation: ReservationRow = { id: newId('reservation'), orgId: input.orgId, batchId: input.batchId, amount: input.amount, charged: 0, released: 0, status: 'active', createdAt: deps.clock.now(), settledAt: null }
  deps.db.insert(reservationsTable).values(reservation).run()
  appendEntry(deps, { orgId: input.orgId, kind: 'reserve', amount: input.amount, deltaAvailable: -input.amount, deltaReserved: input.amount, reference: `reserve:${reservation.id}`, reservationId: reservation.id, batchId: input.batchId })
  return reservation
}

/** Throws 402 insufficient_credits (with required/available/shortfall) when `amount` exceeds available credit. */
export function assertCanReserve(deps: Deps, orgId: string, amount: number): void {
  const balance = getBalance(deps, orgId)
  if (amount <= balance.available) return
  throw new AppError('insufficient_credits', {
    message: `This batch needs ${formatMicros(amount)} USD reserved but only ${formatMicros(balance.available)} is available. Add credits or send fewer items.`,
    details: { required: formatMicros(amount), available: formatMicros(balance.available), shortfall: formatMicros(amount - balance.available) },
  })
}

/**
 * Settles a reservation inside the caller's writeTx: charges `charge` (clamped to 0…reservation —
 * price protection) and releases the rest. Idempotent: a settled reservation is returned unchanged.
 * Throws when the reservation does not exist.
 */
export function settleReservationInTx(deps: Deps, reservationId: string, charge: number): ReservationRow {
  assertInWriteTx(deps, 'settleReservationInTx')
  if (!Number.isSafeInteger(charge)) throw new Error(`charge must be a whole number of micro-dollars, got ${charge}`)
  const r = getReservation(deps, reservationId)
  if (!r) throw new Error(`reservation ${reservationId} not found`)
  if (r.status === 'settled') return r
  const charged = Math.min(Math.max(0, charge), r.amount)
  const released = r.amount - charged
  const link = { reservationId: r.id, batchId: r.batchId }
  if (charged > 0) appendEntry(deps, { orgId: r.orgId, kind: 'charge', amount: charged, deltaAvailable: 0, deltaReserved: -charged, reference: `charge:${r.id}`, ...link })
  if (released > 0) appendEntry(deps, { orgId: r.orgId, kind: 'release', amount: released, deltaAvailable: released, deltaReserved: -released, reference: `release:${r.id}`, ...link })
  const now = deps.clock.now()
  deps.db.update(reservationsTable).set({ charged, released, status: 'settled', settledAt: now }).where(and(eq(reservationsTable.id, r.id), eq(reservationsTable.status, 'active'))).run()
  return { ...r, charged, released, status: 'settled', settledAt: now }
}

/** settleReservationInTx in its own write transaction. */
export function settleReservation(deps: Deps, reservationId: string, charge: number): ReservationRow {
  return writeTx(deps.db, () => settleReservationInTx(deps, reservationId, charge))
}

/** The reservation row, or undefined. */
export function getReservation(deps: Deps, reservationId: string): ReservationRow | undefined {
  return deps.db.select().from(reservationsTable).where(eq(reservationsTable.id, reservationId)).get()
}

/**
 * Cross-checks an org's derived balance against its reservations: both balances ≥ 0 and the
 * reserved balance equal to the sum of active reservations. For tests and operator checks.
 */
export function reconcileOrg(deps: Deps, orgId: string): { balance: Balance; activeReservations: number; consistent: boolean } {
  const balance = getBalance(deps, orgId)
  const row = deps.db
    .select({ total: sql<number>`coalesce(sum(${reservationsTable.amount}), 0)` })
    .from(reservationsTable)
    .where(and(eq(reservationsTable.orgId, orgId), eq(reservationsTable.status, 'active')))
    .get()
  const activeReservations = Number(row?.total ?? 0)
  return { balance, activeReservations, consistent: balance.available >= 0 && balance.reserved >= 0 && balance.reserved === activeReservations }
}
