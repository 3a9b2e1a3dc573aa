/**
 * fleet-nodes: edge nodes that missed 3 heartbeat intervals (on the injected clock) go offline —
 * their edge lanes leave routing and the catalog, their leases go back to the queue.
 */
import type { Deps } from '../deps'
import { markSilentNodesOffline } from '../features/fleet/index'

/** One pass; never asks for a re-run (the next tick looks again). */
export function fleetNodes(deps: Deps, now: number): boolean {
  markSilentNodesOffline(deps, now)
  return false
}
