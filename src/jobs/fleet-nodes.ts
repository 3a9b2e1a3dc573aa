/**
 * fleet-nodes: edge nodes that missed 3 heartbeat intervals (on the injected clock) go offline —
 * their edge lanes leave routing and the catalog, their leases go back to the queue. When the
 * fleet changed since the last pass (a node joined or came back), batches waiting for a lane are
 * routed now rather than at the end of their 30 s wait.
 */
import type { Deps } from '../deps'
import { retryWaitingBatches } from '../features/batches/index'
import { fleetGeneration, markSilentNodesOffline } from '../features/fleet/index'

const seen = new WeakMap<object, number>()

/** One pass; never asks for a re-run (the next tick looks again). */
export function fleetNodes(deps: Deps, now: number): boolean {
  markSilentNodesOffline(deps, now)
  const generation = fleetGeneration(deps.db)
  if (seen.get(deps.db) !== generation) {
    seen.set(deps.db, generation)
    if (retryWaitingBatches(deps, now) > 0) deps.nudge('route-batches')
  }
  return false
}
