/** Re-routes in the routing receipt: every move of a lane's unfinished items, with its cause. */
import type { Deps } from '../../deps'
import { routingDecisionsTable } from './table'

/** A re-route of some of a lane's items to a fallback lane, as failover records it. */
export interface RerouteRecord {
  batchId: string
  model: string
  operation: string
  fromLaneId: string
  fromOfferingId: string
  toLaneId: string | null
  toOfferingId: string | null
  itemCount: number
  /** Why: e.g. provider_expired, provider_failed, lane_stalled, circuit_open. */
  cause: string
  /** One sentence for the customer. */
  message?: string
  at: number
}

/** Appends a `reroute` entry to the batch's routing receipt (inside the caller's transaction). */
export function recordRerouteInTx(deps: Deps, r: RerouteRecord): void {
  deps.db.insert(routingDecisionsTable).values({
    batchId: r.batchId, kind: 'reroute', model: r.model, operation: r.operation, createdAt: r.at,
    detail: { cause: r.cause, from_lane_id: r.fromLaneId, from_offering_id: r.fromOfferingId, to_lane_id: r.toLaneId, to_offering_id: r.toOfferingId, item_count: r.itemCount, message: r.message ?? null },
  }).run()
}
