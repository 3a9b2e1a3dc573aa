/** The item state machine, checked move by move against a table written out here. */
import { describe, expect, it } from 'bun:test'
import { ITEM_STATUSES, ITEM_TRANSITIONS, UNFINISHED_ITEM_STATUSES, itemTransitionFrom, type ItemStatus } from '../../../src/features/items/state'
import { allowedMoves } from '../../../src/lib/transitions'

/** Every move an item makes, and who makes it. */
const EXPECTED: Array<[ItemStatus, ItemStatus, string]> = [
  ['pending', 'queued', 'routing fills a lane'],
  ['pending', 'cancelled', 'cancel before routing'],
  ['pending', 'expired', 'expiry before routing'],
  ['queued', 'running', 'a runner claims it'],
  ['queued', 'cancelled', 'cancel while queued'],
  ['queued', 'expired', 'expiry while queued'],
  ['running', 'completed', 'the outcome path: an answer'],
  ['running', 'failed', 'the outcome path: a final error'],
  ['running', 'queued', 'a retry, a lapsed lease given back, or a move to a fallback lane'],
  ['running', 'cancelled', 'a running call stopped by cancel'],
  ['running', 'expired', 'a running call stopped by expiry'],
]

describe('item state machine', () => {
  it('allows exactly the moves of the table', () => {
    expect(allowedMoves(ITEM_TRANSITIONS).sort()).toEqual(EXPECTED.map(([from, to]) => [from, to] as [ItemStatus, ItemStatus]).sort())
  })

  for (const [from, to, who] of EXPECTED) {
    it(`allows ${from} → ${to} (${who})`, () => expect(itemTransitionFrom([from], to)).toEqual([from]))
  }

  it('refuses every other move, naming it', () => {
    const allowed = new Set(EXPECTED.map(([from, to]) => `${from}>${to}`))
    for (const from of ITEM_STATUSES) {
      for (const to of ITEM_STATUSES) {
        if (allowed.has(`${from}>${to}`)) continue
        expect(() => itemTransitionFrom([from], to)).toThrow(`illegal item transition ${from} → ${to}`)
      }
    }
  })

  it('calls unfinished exactly the statuses an item can still leave', () => {
    expect<string[]>([...UNFINISHED_ITEM_STATUSES].sort()).toEqual(ITEM_STATUSES.filter((s) => ITEM_TRANSITIONS[s].length > 0).sort())
  })
})
