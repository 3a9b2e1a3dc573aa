/** Wire shapes of the fleet's rows (contract §11); never a token or its hash. */
import { toIso } from '../../lib/clock'
import type { JoinTokenRow, NodeRow } from './table'

export function presentJoinToken(row: JoinTokenRow) {
  return {
    token_id: row.id,
    name: row.name,
    trust_tier: row.trustTier,
    regions: row.regions,
    expires_at: toIso(row.expiresAt),
    max_uses: row.maxUses,
    uses: row.uses,
    revoked_at: row.revokedAt === null ? null : toIso(row.revokedAt),
    created_at: toIso(row.createdAt),
  }
}

export function presentNode(row: NodeRow) {
  return {
    node_id: row.id,
    name: row.name,
    trust_tier: row.trustTier,
    regions: row.regions,
    status: row.status,
    version: row.version,
    offerings: row.offerings as unknown as Record<string, unknown>[],
    capacity: { concurrent_items: row.concurrentItems },
    in_flight: row.inFlight,
    upstream_health: row.upstreamHealth,
    last_heartbeat_at: toIso(row.lastHeartbeatAt),
    joined_at: toIso(row.joinedAt),
    completed_items: row.completedItems,
    failed_items: row.failedItems,
  }
}
