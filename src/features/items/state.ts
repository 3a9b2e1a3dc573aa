/**
 * The item state machine (design §4): where an item is in its life, and who moves it. Every item
 * status write goes through `itemTransitionFrom`, whichever feature makes it (routing queues,
 * runners claim and record outcomes, cancel and expiry stop).
 */
import { transitionGuard } from '../../lib/transitions'

export const ITEM_STATUSES = [
  'pending', // not yet assigned to a lane; features/routing queues it
  'queued', // assigned to a lane; waiting for a runner's claim (next_attempt_at)
  'running', // leased by a runner (or carried by a provider job); its outcome is on the way
  'completed', // terminal: output and usage recorded
  'failed', // terminal: error recorded after retries ran out or a non-retryable error
  'cancelled', // terminal: batch cancelled before the item finished
  'expired', // terminal: SLA deadline passed before the item finished
] as const
export type ItemStatus = (typeof ITEM_STATUSES)[number]

/** Statuses an item can still leave: its batch is not finished while one of its items is in one. */
export const UNFINISHED_ITEM_STATUSES = ['pending', 'queued', 'running'] as const satisfies readonly ItemStatus[]

/**
 * Where each item status may go. running → queued is a retry, a lapsed lease given back, or a
 * move to a fallback lane; every unfinished status may be stopped by cancel or expiry.
 */
export const ITEM_TRANSITIONS: Readonly<Record<ItemStatus, readonly ItemStatus[]>> = {
  pending: ['queued', 'cancelled', 'expired'],
  queued: ['running', 'cancelled', 'expired'],
  running: ['completed', 'failed', 'queued', 'cancelled', 'expired'],
  completed: [],
  failed: [],
  cancelled: [],
  expired: [],
}

/** Guards every item status write. */
export const itemTransitionFrom = transitionGuard('item', ITEM_TRANSITIONS)
