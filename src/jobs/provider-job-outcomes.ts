/**
 * Recording the outcomes of a provider job's items through the dispatcher's applyOutcomes (same
 * pricing, retries and webhook progress as request-style items), in groups of CHUNK per
 * transaction. Only items the caller lists (running items of the job) are touched.
 */
import type { Deps } from '../deps'
import type { ItemOutcome } from '../providers/types'
import { applyOutcomes, type PendingOutcome } from './dispatch-outcomes'

const CHUNK = 500

export type JobOutcome = ItemOutcome | { ok: false; itemId: string; stoppedAs: 'cancelled' | 'expired' }

/** Applies `outcomes` for items listed in `attempts` (item id → attempts); returns how many were applied. */
export function applyJobOutcomes(deps: Deps, meta: { provider: string; rates: { input: number; output: number } }, attempts: ReadonlyMap<string, number>, outcomes: readonly JobOutcome[], now: number): number {
  const pending: PendingOutcome[] = []
  for (const outcome of outcomes) {
    const tries = attempts.get(outcome.itemId)
    if (tries !== undefined) pending.push({ itemId: outcome.itemId, attempts: tries, provider: meta.provider, rates: meta.rates, outcome })
  }
  for (let i = 0; i < pending.length; i += CHUNK) applyOutcomes(deps, pending.slice(i, i + CHUNK), now)
  if (pending.length > 0) deps.nudge('finalize-batches')
  return pending.length
}

/** Outcomes that stop every listed item as the batch's end intent (cancelled or expired). */
export function stoppedOutcomes(itemIds: Iterable<string>, endIntent: string): JobOutcome[] {
  const stoppedAs = endIntent === 'expired' ? 'expired' : 'cancelled'
  return [...itemIds].map((itemId) => ({ ok: false as const, itemId, stoppedAs }))
}
