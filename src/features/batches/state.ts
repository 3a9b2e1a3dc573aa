/**
 * The batch state machine (design §4). Every batch status write is guarded by `transitionFrom`,
 * so a state is never set from an unexpected place.
 */
import { transitionGuard } from '../../lib/transitions'

export const BATCH_STATUSES = [
  'creating', // internal: items being inserted by POST /v1/batches; invisible, deleted on crash
  'pending', // accepted, not yet enqueued; route-batches picks it up
  'queued', // waiting for an eligible lane (e.g. a provider went down); route-batches retries
  'routing', // route-batches is choosing lanes (leased)
  'dispatched', // lanes chosen, items queued for dispatch
  'processing', // providers are running items
  'completing', // finalize-batches is writing artifacts and settling (leased)
  'completed', // terminal: every item has an outcome
  'failed', // terminal: could not run at all
  'cancelled', // terminal: cancelled by the user; finished items kept
  'expired', // terminal: the SLA deadline passed first; finished items kept
] as const
export type BatchStatus = (typeof BATCH_STATUSES)[number]

export const TERMINAL_BATCH_STATUSES: readonly BatchStatus[] = ['completed', 'failed', 'cancelled', 'expired']

/** Where each batch status may go (the table the guard and its test read). */
export const BATCH_TRANSITIONS: Readonly<Record<BatchStatus, readonly BatchStatus[]>> = {
  creating: ['pending'],
  pending: ['routing', 'completing'],
  queued: ['routing', 'completing'],
  routing: ['dispatched', 'queued', 'pending', 'completing'],
  dispatched: ['processing', 'completing'],
  processing: ['completing'],
  completing: ['completed', 'failed', 'cancelled', 'expired', 'completing'],
  completed: [],
  failed: [],
  cancelled: [],
  expired: [],
}

/**
 * The guard of a batch status write: checks every `from → to` against the state machine (throws
 * on an illegal one — a programming error, caught by the first test that takes that path) and
 * returns the `from` list for `UPDATE … WHERE status IN (…)`. Every batch status write goes through it.
 */
export const transitionFrom = transitionGuard('batch', BATCH_TRANSITIONS)

/** True when `status` names a batch status (e.g. a `status` filter from a query string). */
export function isBatchStatus(status: string): status is BatchStatus {
  return (BATCH_STATUSES as readonly string[]).includes(status)
}

/** True for completed, failed, cancelled and expired. */
export function isTerminal(status: string): boolean {
  return (TERMINAL_BATCH_STATUSES as readonly string[]).includes(status)
}

/** Why a batch is ending early; set by cancel and expiry, read by finalize. */
export const END_INTENTS = ['cancelled', 'expired', 'failed'] as const
export type EndIntent = (typeof END_INTENTS)[number]

/** OpenAI's batch status for a native status (contract §5 table). */
export function openAiStatus(status: string, cancelling: boolean): string {
  if (cancelling && !isTerminal(status)) return 'cancelling'
  switch (status) {
    case 'creating':
    case 'pending':
    case 'queued':
    case 'routing':
      return 'validating'
    case 'dispatched':
    case 'processing':
      return 'in_progress'
    case 'completing':
      return 'finalizing'
    default:
      return status
  }
}
