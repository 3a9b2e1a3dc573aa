/**
 * The fleet (contract §11): join tokens the operator mints (only their id — the JWT's `jti` — and
 * a hash are stored; the token is shown once) and the edge nodes that joined with them. A node's
 * trust tier and regions are copied from its join token at join time and never from the node.
 */
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core'

/** What a node declares it serves (contract §11 join body `node.offerings[]`). */
export interface NodeOffering {
  model: string
  served_model?: string
  operations: Array<'responses' | 'embeddings' | 'vision'>
  context_window?: number
  max_output_tokens?: number
  concurrency?: number
  pricing?: { input_per_1m: string; output_per_1m: string }
}

export type TrustTier = 'standard' | 'restricted'
export type NodeStatus = 'online' | 'offline' | 'draining' | 'revoked'
export type UpstreamHealth = 'ok' | 'degraded' | 'down'

export const fleetJoinTokensTable = sqliteTable('fleet_join_tokens', {
  /** `jtok_…`, also the JWT's `jti`. */
  id: text('id').primaryKey(),
  /** SHA-256 of the whole token: a token with this jti but other bytes is refused. */
  hash: text('hash').notNull(),
  name: text('name'),
  trustTier: text('trust_tier').$type<TrustTier>().notNull(),
  regions: text('regions', { mode: 'json' }).$type<string[]>().notNull(),
  maxUses: integer('max_uses').notNull(),
  uses: integer('uses').notNull().default(0),
  expiresAt: integer('expires_at').notNull(),
  revokedAt: integer('revoked_at'),
  /** Admin key that minted it; null = the local CLI. */
  createdBy: text('created_by'),
  createdAt: integer('created_at').notNull(),
})

export const fleetNodesTable = sqliteTable(
  'fleet_nodes',
  {
    /** `node_…`, the `sub` of its credentials. */
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    version: text('version').notNull(),
    joinTokenId: text('join_token_id').notNull(),
    trustTier: text('trust_tier').$type<TrustTier>().notNull(),
    regions: text('regions', { mode: 'json' }).$type<string[]>().notNull(),
    status: text('status').$type<NodeStatus>().notNull(),
    /** The `jti` of the one node credential accepted now; a rotation replaces it, a revoke clears it. */
    tokenJti: text('token_jti'),
    /** When the previous credential stops being accepted (a rotation answer may be lost on the way). */
    previousJti: text('previous_jti'),
    previousJtiUntil: integer('previous_jti_until'),
    tokenExpiresAt: integer('token_expires_at').notNull(),
    offerings: text('offerings', { mode: 'json' }).$type<NodeOffering[]>().notNull(),
    concurrentItems: integer('concurrent_items').notNull(),
    inFlight: integer('in_flight').notNull().default(0),
    upstreamHealth: text('upstream_health').$type<UpstreamHealth>().notNull().default('ok'),
    healthDetail: text('health_detail'),
    lastHeartbeatAt: integer('last_heartbeat_at').notNull(),
    joinedAt: integer('joined_at').notNull(),
    completedItems: integer('completed_items').notNull().default(0),
    failedItems: integer('failed_items').notNull().default(0),
    revokedAt: integer('revoked_at'),
  },
  (t) => [index('fleet_nodes_status_idx').on(t.status)],
)

export type JoinTokenRow = typeof fleetJoinTokensTable.$inferSelect
export type NodeRow = typeof fleetNodesTable.$inferSelect
