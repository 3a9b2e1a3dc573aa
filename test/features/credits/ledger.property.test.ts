/**
 * Property: any sequence of grants, adjustments, reservations and settlements (with replays)
 * keeps both balances ≥ 0, equal to a simple model and to the sum of the entries; settlement
 * never charges above its reservation and is idempotent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { openTestStore, sumEntries, type TestStore } from './store'
import { writeTx } from '../../../src/db/tx'
import { AppError } from '../../../src/lib/errors'
import { applyCreditInTx, getBalance, reconcileOrg, reserveCreditsInTx, settleReservation } from '../../../src/features/credits'

let store: TestStore
beforeAll(() => {
  store = openTestStore({ fast: true })
})
afterAll(() => store.close())

type Command =
  | { op: 'grant'; amount: number }
  | { op: 'adjust'; amount: number }
  | { op: 'reserve'; amount: number }
  | { op: 'settle'; pick: number; charge: number }
  | { op: 'replay'; pick: number }

const USD = 1_000_000
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ op: fc.constant('grant' as const), amount: fc.integer({ min: 1, max: 20 * USD }) }),
  fc.record({ op: fc.constant('adjust' as const), amount: fc.integer({ min: -20 * USD, max: 20 * USD }).filter((n) => n !== 0) }),
  fc.record({ op: fc.constant('reserve' as const), amount: fc.integer({ min: 0, max: 15 * USD }) }),
  fc.record({ op: fc.constant('settle' as const), pick: fc.nat(), charge: fc.integer({ min: -USD, max: 20 * USD }) }),
  fc.record({ op: fc.constant('replay' as const), pick: fc.nat() }),
)

function isInsufficient(fn: () => unknown): boolean {
  try {
    fn()
    return false
  } catch (err) {
    if (err instanceof AppError && err.code === 'insufficient_credits') return true
    throw err
  }
}

function runSequence(commands: Command[]): void {
  const { deps } = store
  const org = store.newOrgId()
  const model = { available: 0, reserved: 0 }
  const credits: Array<{ reference: string; amount: number; kind: 'grant' | 'adjust' }> = []
  const reservations: Array<{ id: string; amount: number; settled?: { charged: number; released: number } }> = []
  for (const [i, c] of commands.entries()) {
    if (c.op === 'grant' || c.op === 'adjust') {
      const movement = { reference: `p-${org}-${i}`, amount: c.amount, kind: c.op }
      const refused = isInsufficient(() => writeTx(deps.db, () => applyCreditInTx(deps, { orgId: org, ...movement })))
      expect(refused).toBe(model.available + c.amount < 0)
      if (!refused) {
        model.available += c.amount
        credits.push(movement)
      }
    } else if (c.op === 'replay') {
      const movement = credits[c.pick % Math.max(1, credits.length)]
      if (movement) expect(writeTx(deps.db, () => applyCreditInTx(deps, { orgId: org, ...movement })).replayed).toBe(true)
    } else if (c.op === 'reserve') {
      let id = ''
      const refused = isInsufficient(() => (id = writeTx(deps.db, () => reserveCreditsInTx(deps, { orgId: org, batchId: `bat_${i}`, amount: c.amount })).id))
      expect(refused).toBe(c.amount > model.available)
      if (!refused) {
        model.available -= c.amount
        model.reserved += c.amount
        reservations.push({ id, amount: c.amount })
      }
    } else {
      const r = reservations[c.pick % Math.max(1, reservations.length)]
      if (!r) continue
      const settled = settleReservation(deps, r.id, c.charge)
      expect(settled.charged).toBeLessThanOrEqual(r.amount)
      expect(settled.charged + settled.released).toBe(r.amount)
      if (r.settled) {
        expect({ charged: settled.charged, released: settled.released }).toEqual(r.settled)
      } else {
        expect(settled.charged).toBe(Math.min(Math.max(0, c.charge), r.amount))
        r.settled = { charged: settled.charged, released: settled.released }
        model.reserved -= r.amount
        model.available += settled.released
      }
    }
    const balance = getBalance(deps, org)
    expect(balance).toEqual(model)
    expect(balance.available).toBeGreaterThanOrEqual(0)
    expect(balance.reserved).toBeGreaterThanOrEqual(0)
    const sums = sumEntries(deps, org)
    expect({ available: sums.available, reserved: sums.reserved }).toEqual(model)
    expect(reconcileOrg(deps, org).consistent).toBe(true)
  }
}

describe('ledger invariants (fast-check)', () => {
  it('hold for random sequences of grant/adjust/reserve/settle/replay', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 40 }), (commands) => {
        runSequence(commands)
      }),
      { numRuns: 150 },
    )
  }, 60_000)
})
