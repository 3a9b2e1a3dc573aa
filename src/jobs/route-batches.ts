/**
 * route-batches: folds finished lanes into routing's observed statistics, then leases due
 * pending/queued batches (features/batches) and has routing assign their lanes; each batch ends
 * the pass dispatched, or queued to wait for a lane.
 */
import type { Deps } from '../deps'
import { claimBatchesToRoute, recordRouted } from '../features/batches/index'
import { assignLanes, harvestLaneOutcomes, ROUTING_LEASE_MS } from '../features/routing/index'

/** Batches routed per pass. */
const CLAIM = 10

/** One pass; true when the claim was full (more batches may be due). */
export async function routeBatches(deps: Deps, now: number): Promise<boolean> {
  harvestLaneOutcomes(deps, now)
  const { rows } = claimBatchesToRoute.claim(deps, { holder: 'route-batches', until: now + ROUTING_LEASE_MS, limit: CLAIM, now })
  for (const batch of rows) recordRouted(deps, batch, await assignLanes(deps, batch, now), now)
  if (rows.length > 0) deps.nudge('dispatch-items')
  return rows.length === CLAIM
}
