/**
 * Credit movements. Every function writes ledger entries (and the reservation row) inside the
 * caller's synchronous transaction or its own; balances are derived from the entries and are
 * never allowed below zero. A movement's `reference` is unique, so repeating it is a no-op.
 */
import { and, eq, sql } from 'drizzle-orm'
import type { Deps } from '../../deps'
import { writeTx } from '../../db/tx'
import { AppError } from '../../http/errors'
import { formatMicros } from '../../lib/money'
import { newId } from '../../lib/ids'
import { ledgerEntriesTable, reservationsTable, type ReservationRow } from './table'

export interface Balance {
  /** Spendable now: grants − charges − active reservations. */
  available: number
  reserved: number
}

type Kind = (typeof ledgerEntriesTable.$inferInsert)['kind']

/** The org's balance, summed from its entries. */
export function getBalance(deps: Deps, orgId: string): Balance {
  const row = deps.db
    .select({ available: sql<number>`coalesce(sum(${ledgerEntriesTable.deltaAvailable}), 0)`, reserved: sql<number>`coalesce(sum(${ledgerEntriesTable.deltaReserved}), 0)` })
    .from(ledgerEntriesTable)
    .where(eq(ledgerEntriesTable.orgId, orgId))
    .get()
  return { available: Number(row?.available ?? 0), reserved: Number(row?.reserved ?? 0) }
}

interface EntryInput {
  orgId: string
  kind: Kind
  amount: number
  deltaAvailable: number
  deltaReserved: number
  reference: string
  reservationId?: string
  batchId?: string
  note?: string
}

/** Appends one entry unless its reference exists; returns false when it was already written. */
function appendEntry(deps: Deps, e: EntryInput): boolean {
  const result = deps.db
    .insert(ledgerEntriesTable)
    .values({ ...e, createdAt: deps.clock.now() })
    .onConflictDoNothing({ target: ledgerEntriesTable.reference })
    .returning({ id: ledgerEntriesTable.id })
    .all()
  return result.length > 0
}

/** Grants credit (positive) or adjusts it (signed; never below zero). Idempotent by reference. */
export function grantCredits(deps: Deps, input: { orgId: string; amount: number; reference: string; note?: string; kind?: 'grant' | 'adjust' }): Balance {
  const kind = input.kind ?? 'grant'
  if (!Number.isSafeInteger(input.amount) || (kind === 'grant' && input.amount <= 0)) {
    throw new AppError('validation_failed', { message: 'amount must be a positive USD amount with at most 6 decimals.', param: 'amount' })
  }
  return writeTx(deps.db, () => grantCreditsInTx(deps, { ...input, kind }))
}

/** grantCredits for a caller that already holds the write transaction. */
export function grantCreditsInTx(deps: Deps, input: { orgId: string; amount: number; reference: string; note?: string; kind?: 'grant' | 'adjust' }): Balance {
  const balance = getBalance(deps, input.orgId)
  if (balance.available + input.amount < 0) {
    throw new AppError('insufficient_credits', { message: `Adjustment of ${formatMicros(input.amount)} would take the balance below zero (available ${formatMicros(balance.available)}).`, param: 'amount' })
  }
  appendEntry(deps, { orgId: input.orgId, kind: input.kind ?? 'grant', amount: input.amount, deltaAvailable: input.amount, deltaReserved: 0, reference: input.reference, note: input.note })
  return getBalance(deps, input.orgId)
}

/**
 * Reserves `amount` for a batch. Must run inside the caller's transaction (batch creation), so
 * the reservation exists exactly when the batch does. Throws 402 when available credit is short.
 */
export function reserveCreditsInTx(deps: Deps, input: { orgId: string; batchId: string; amount: number }): ReservationRow {
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

/**
 * Settles a reservation: charges `charge` (capped at the reservation — price protection) and
 * releases the rest. Idempotent: a settled reservation is returned unchanged.
 */
export function settleReservation(deps: Deps, reservationId: string, charge: number): ReservationRow {
  return writeTx(deps.db, () => {
    const r = deps.db.select().from(reservationsTable).where(eq(reservationsTable.id, reservationId)).get()
    if (!r) throw new Error(`reservation ${reservationId} not found`)
    if (r.status === 'settled') return r
    const charged = Math.min(Math.max(0, charge), r.amount)
    const released = r.amount - charged
    if (charged > 0) appendEntry(deps, { orgId: r.orgId, kind: 'charge', amount: charged, deltaAvailable: 0, deltaReserved: -charged, reference: `charge:${r.id}`, reservationId: r.id, batchId: r.batchId ?? undefined })
    if (released > 0) appendEntry(deps, { orgId: r.orgId, kind: 'release', amount: released, deltaAvailable: released, deltaReserved: -released, reference: `release:${r.id}`, reservationId: r.id, batchId: r.batchId ?? undefined })
    const now = deps.clock.now()
    deps.db.update(reservationsTable).set({ charged, released, status: 'settled', settledAt: now }).where(and(eq(reservationsTable.id, r.id), eq(reservationsTable.status, 'active'))).run()
    return { ...r, charged, released, status: 'settled', settledAt: now }
  })
}

/** The reservation row, or undefined. */
export function getReservation(deps: Deps, reservationId: string): ReservationRow | undefined {
  return deps.db.select().from(reservationsTable).where(eq(reservationsTable.id, reservationId)).get()
}
