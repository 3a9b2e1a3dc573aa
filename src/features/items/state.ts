/** The item state machine: where an item is in its life (design §4). */

export const ITEM_STATUSES = [
  'pending', // not yet assigned to a lane
  'queued', // assigned; waiting for a dispatch slot (next_attempt_at)
  'running', // leased by the dispatcher; a provider call is in flight
  'completed', // terminal: output and usage recorded
  'failed', // terminal: error recorded after retries ran out or a non-retryable error
  'cancelled', // terminal: batch cancelled before the item finished
  'expired', // terminal: SLA deadline passed before the item finished
] as const
export type ItemStatus = (typeof ITEM_STATUSES)[number]
