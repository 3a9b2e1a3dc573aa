/**
 * finalize-batches: leases batches whose items all have an outcome and finalizes each (artifacts,
 * settlement, terminal status) with its terminal webhook event in the same transaction.
 */
import type { Deps } from '../deps'
import { claimFinishedBatches, finalizeBatch } from '../features/batches/index'
import { terminalEvent } from '../features/webhooks/index'

/** Batches finalized per pass. */
const CLAIM = 5
/** A finalizing lease: long enough to write the artifacts of a large batch. */
const LEASE_MS = 5 * 60 * 1000

/** One pass; true when the claim was full. */
export async function finalizeBatches(deps: Deps, now: number): Promise<boolean> {
  const { rows } = claimFinishedBatches.claim(deps, { holder: 'finalize-batches', until: now + LEASE_MS, limit: CLAIM, now })
  for (const batch of rows) await finalizeBatch(deps, batch, terminalEvent)
  return rows.length === CLAIM
}
