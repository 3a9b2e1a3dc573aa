import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { openTestStore, sumEntries, type TestStore } from './store'
import { writeTx } from '../../../src/db/tx'
import { AppError } from '../../../src/lib/errors'
import {
  applyCreditInTx,
  getBalance,
  getReservation,
  grantCredits,
  reconcileOrg,
  reserveCreditsInTx,
  settleReservation,
} from '../../../src/features/credits'

let store: TestStore
beforeAll(() => {
  store = openTestStore()
})
afterAll(() => store.close())

const codeOf = (fn: () => unknown): string => {
  try {
    fn()
    return 'ok'
  } catch (err) {
    return err instanceof AppError ? err.code : `Error: ${(err as Error).message}`
  }
}
const credit = (orgId: string, amount: number, reference: string, kind: 'grant' | 'adjust' = 'grant') => writeTx(store.deps.db, () => applyCreditInTx(store.deps, { orgId, amount, reference, kind }))
const reserve = (orgId: string, amount: number) => writeTx(store.deps.db, () => reserveCreditsInTx(store.deps, { orgId, batchId: 'bat_x', amount }))

describe('grants and adjustments', () => {
  it('appends a grant and returns the balance', () => {
    const org = store.newOrgId()
    const result = credit(org, 5_000_000, `g-${org}`)
    expect(result.replayed).toBe(false)
    expect(result.entry).toMatchObject({ kind: 'grant', amount: 5_000_000, deltaAvailable: 5_000_000, deltaReserved: 0 })
    expect(result.balance).toEqual({ available: 5_000_000, reserved: 0 })
  })

  it('returns the original entry for a repeated reference and writes nothing', () => {
    const org = store.newOrgId()
    const first = credit(org, 1_000_000, `rep-${org}`)
    const again = credit(org, 1_000_000, `rep-${org}`)
    expect(again).toMatchObject({ replayed: true, entry: { id: first.entry.id } })
    expect(sumEntries(store.deps, org)).toEqual({ available: 1_000_000, reserved: 0, count: 1 })
  })

  it('replays an adjustment even when the balance no longer covers it', () => {
    const org = store.newOrgId()
    credit(org, 1_000_000, `g-${org}`)
    const adjust = credit(org, -1_000_000, `adj-${org}`, 'adjust')
    expect(adjust.balance.available).toBe(0)
    expect(credit(org, -1_000_000, `adj-${org}`, 'adjust').replayed).toBe(true)
  })

  const table: Array<[string, (org: string, other: string) => unknown, string]> = [
    ['a reference reused with another amount → 409 idempotency_key_reused', (org) => (credit(org, 1, `r-${org}`), credit(org, 2, `r-${org}`)), 'idempotency_key_reused'],
    ["a reference reused for another org → 409 idempotency_key_reused", (org, other) => (credit(org, 1, `o-${org}`), credit(other, 1, `o-${org}`)), 'idempotency_key_reused'],
    ['a reference reused with another kind → 409 idempotency_key_reused', (org) => (credit(org, 5, `k-${org}`), credit(org, 5, `k-${org}`, 'adjust')), 'idempotency_key_reused'],
    ['an adjustment below zero → 402 insufficient_credits', (org) => (credit(org, 10, `a-${org}`), credit(org, -11, `b-${org}`, 'adjust')), 'insufficient_credits'],
    ['an adjustment to exactly zero → ok', (org) => (credit(org, 10, `c-${org}`), credit(org, -10, `d-${org}`, 'adjust')), 'ok'],
    ['a zero grant → 400 validation_failed', (org) => credit(org, 0, `z-${org}`), 'validation_failed'],
    ['a negative grant → 400 validation_failed', (org) => credit(org, -5, `n-${org}`), 'validation_failed'],
    ['a fractional micro-dollar → 400 validation_failed', (org) => credit(org, 1.5, `f-${org}`), 'validation_failed'],
    ['a zero adjustment → 400 validation_failed', (org) => credit(org, 0, `za-${org}`, 'adjust'), 'validation_failed'],
    ['applyCreditInTx outside a transaction → refused', (org) => applyCreditInTx(store.deps, { orgId: org, amount: 1, reference: `t-${org}` }), 'Error: applyCreditInTx must run inside writeTx (BEGIN IMMEDIATE)'],
  ]
  for (const [name, fn, code] of table) {
    it(name, () => {
      const org = store.newOrgId()
      expect(codeOf(() => fn(org, store.newOrgId()))).toBe(code)
      expect(reconcileOrg(store.deps, org).consistent).toBe(true)
    })
  }

  it('grantCredits wraps the write transaction itself', () => {
    const org = store.newOrgId()
    expect(grantCredits(store.deps, { orgId: org, amount: 7, reference: `w-${org}` })).toEqual({ available: 7, reserved: 0 })
  })

  it('refuses a duplicate reference at the database level too', () => {
    const org = store.newOrgId()
    credit(org, 1, `u-${org}`)
    expect(() => store.deps.db.$client.query("INSERT INTO ledger_entries (org_id, kind, amount, delta_available, delta_reserved, reference, created_at) VALUES (?, 'grant', 1, 1, 0, ?, 0)").run(org, `u-${org}`)).toThrow(/UNIQUE/)
  })
})

describe('reservations', () => {
  it('moves credit from available to reserved, and refuses with 402 and details when short', () => {
    const org = store.newOrgId()
    credit(org, 10_000_000, `g-${org}`)
    reserve(org, 4_000_000)
    expect(getBalance(store.deps, org)).toEqual({ available: 6_000_000, reserved: 4_000_000 })
    let caught: AppError | undefined
    try {
      reserve(org, 6_000_001)
    } catch (err) {
      caught = err as AppError
    }
    expect(caught?.code).toBe('insufficient_credits')
    expect(caught?.details).toEqual({ required: '6.000001', available: '6.000000', shortfall: '0.000001' })
    reserve(org, 6_000_000)
    expect(getBalance(store.deps, org)).toEqual({ available: 0, reserved: 10_000_000 })
    expect(reconcileOrg(store.deps, org).consistent).toBe(true)
  })

  it('must run inside writeTx', () => {
    const org = store.newOrgId()
    expect(() => reserveCreditsInTx(store.deps, { orgId: org, batchId: 'bat_x', amount: 0 })).toThrow(/writeTx/)
  })

  it('rolls back with the caller when the caller fails later in the same transaction', () => {
    const org = store.newOrgId()
    credit(org, 5, `g-${org}`)
    expect(() =>
      writeTx(store.deps.db, () => {
        reserveCreditsInTx(store.deps, { orgId: org, batchId: 'bat_x', amount: 5 })
        throw new Error('batch insert failed')
      }),
    ).toThrow('batch insert failed')
    expect(getBalance(store.deps, org)).toEqual({ available: 5, reserved: 0 })
  })
})

describe('settlement', () => {
  const cases: Array<[string, number, number, number]> = [
    // name, reservation, charge asked, charged
    ['charges part and releases the rest', 10_000, 3_000, 3_000],
    ['never charges above the reservation (price protection)', 10_000, 25_000, 10_000],
    ['charges nothing for a negative charge', 10_000, -5, 0],
    ['charges nothing and releases everything for zero', 10_000, 0, 0],
    ['charges everything for exactly the reservation', 10_000, 10_000, 10_000],
  ]
  for (const [name, amount, charge, charged] of cases) {
    it(name, () => {
      const org = store.newOrgId()
      credit(org, 20_000, `g-${org}`)
      const r = reserve(org, amount)
      const settled = settleReservation(store.deps, r.id, charge)
      expect(settled).toMatchObject({ status: 'settled', charged, released: amount - charged })
      expect(getBalance(store.deps, org)).toEqual({ available: 20_000 - charged, reserved: 0 })
      expect(reconcileOrg(store.deps, org).consistent).toBe(true)
    })
  }

  it('is idempotent: a second settlement changes nothing', () => {
    const org = store.newOrgId()
    credit(org, 20_000, `g-${org}`)
    const r = reserve(org, 10_000)
    settleReservation(store.deps, r.id, 4_000)
    const before = sumEntries(store.deps, org)
    const again = settleReservation(store.deps, r.id, 9_000)
    expect(again).toMatchObject({ charged: 4_000, released: 6_000 })
    expect(sumEntries(store.deps, org)).toEqual(before)
    expect(getReservation(store.deps, r.id)?.status).toBe('settled')
  })

  it('throws for an unknown reservation', () => {
    expect(() => settleReservation(store.deps, 'cres_unknown', 1)).toThrow(/not found/)
  })
})
