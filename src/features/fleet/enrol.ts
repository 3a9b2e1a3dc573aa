/**
 * Enrolment (contract §11): the operator mints join tokens (JWTs signed by the router; only the
 * id — the token's `jti` — and a SHA-256 of the token are stored), lists and revokes them; a node
 * trades a valid one for a node row and a node credential. Trust tier and regions come from the
 * token; a node that claims a region outside the token's is refused (400).
 */
import { desc, eq, sql } from 'drizzle-orm'
import type { Deps } from '../../deps'
import { writeTx } from '../../db/tx'
import { sha256Hex } from '../../lib/crypto'
import { AppError, notFound } from '../../lib/errors'
import { newId } from '../../lib/ids'
import { VERSION } from '../../version'
import { recordAudit } from '../audit/index'
import { fleetChanged } from './signals'
import { fleetJoinTokensTable, fleetNodesTable, type JoinTokenRow, type NodeOffering, type TrustTier } from './table'
import { JOIN_AUDIENCE, NODE_AUDIENCE, signFleetToken, verifyFleetToken } from './tokens'

/** What the operator asks for. */
export interface JoinTokenRequest {
  trust_tier: TrustTier
  regions: string[]
  ttl_seconds?: number
  max_uses?: number
  name?: string
}

/** Mints a join token (shown once) and stores its id and hash; audited. `actorKeyId` null = the local CLI. */
export async function createJoinToken(deps: Deps, actorKeyId: string | null, req: JoinTokenRequest): Promise<{ token: string; row: JoinTokenRow }> {
  const now = deps.clock.now()
  const id = newId('joinToken')
  const expiresAt = now + (req.ttl_seconds ?? 3600) * 1000
  const regions = [...new Set(req.regions)]
  const token = await signFleetToken(deps, JOIN_AUDIENCE, { jti: id, expiresAt, extra: { trust_tier: req.trust_tier, regions } })
  const row = writeTx(deps.db, () => {
    const inserted = deps.db
      .insert(fleetJoinTokensTable)
      .values({ id, hash: sha256Hex(token), name: req.name ?? null, trustTier: req.trust_tier, regions, maxUses: req.max_uses ?? 1, expiresAt, createdBy: actorKeyId, createdAt: now })
      .returning()
      .get()
    recordAudit(deps, { actorKeyId, action: 'fleet.join_token.create', subjectId: id, detail: { trust_tier: req.trust_tier, regions, expires_at: new Date(expiresAt).toISOString(), max_uses: inserted.maxUses } })
    return inserted
  })
  return { token, row }
}

/** Every join token, newest first (never the token itself). */
export function listJoinTokens(deps: Deps): JoinTokenRow[] {
  return deps.db.select().from(fleetJoinTokensTable).orderBy(desc(fleetJoinTokensTable.createdAt), desc(fleetJoinTokensTable.id)).limit(1000).all()
}

/** Revokes a join token so no further node can join with it (nodes that joined keep running); audited. */
export function revokeJoinToken(deps: Deps, actorKeyId: string | null, tokenId: string): JoinTokenRow {
  return writeTx(deps.db, () => {
    const row = deps.db.select().from(fleetJoinTokensTable).where(eq(fleetJoinTokensTable.id, tokenId)).get()
    if (!row) throw notFound('join token', tokenId)
    if (row.revokedAt !== null) return row
    const now = deps.clock.now()
    recordAudit(deps, { actorKeyId, action: 'fleet.join_token.revoke', subjectId: tokenId, detail: { uses: row.uses } })
    return deps.db.update(fleetJoinTokensTable).set({ revokedAt: now }).where(eq(fleetJoinTokensTable.id, tokenId)).returning().get()
  })
}

/** A node's join request (contract §11 `node`). */
export interface JoinRequest {
  name: string
  version: string
  regions?: string[]
  offerings: NodeOffering[]
  capacity: { concurrent_items: number }
}

const BAD_JOIN_TOKEN = 'This join token is invalid, expired, revoked or already used: ask the operator for a new one (`batchrouter fleet token create`).'

/** Turns a valid join token into a node row and its first credential. */
export async function joinNode(deps: Deps, joinToken: string, node: JoinRequest) {
  const claims = await verifyFleetToken(deps, JOIN_AUDIENCE, joinToken)
  if (!claims) throw new AppError('unauthorized', { message: BAD_JOIN_TOKEN })
  const nodeId = newId('node')
  const jti = newId('joinToken').replace('jtok_', 'ntok_')
  const now = deps.clock.now()
  const tokenExpiresAt = now + deps.config.fleet.tokenTtlSeconds * 1000
  const nodeToken = await signFleetToken(deps, NODE_AUDIENCE, { jti, sub: nodeId, expiresAt: tokenExpiresAt })
  const row = writeTx(deps.db, () => {
    const token = deps.db.select().from(fleetJoinTokensTable).where(eq(fleetJoinTokensTable.id, claims.jti)).get()
    if (!token || token.hash !== sha256Hex(joinToken) || token.revokedAt !== null || token.expiresAt <= now || token.uses >= token.maxUses) throw new AppError('unauthorized', { message: BAD_JOIN_TOKEN })
    const outside = (node.regions ?? []).filter((r) => !token.regions.includes(r))
    if (outside.length > 0) throw new AppError('validation_failed', { message: `The join token enrols this node in ${token.regions.join(', ')}; it cannot claim ${outside.join(', ')}.`, param: 'node.regions' })
    deps.db.update(fleetJoinTokensTable).set({ uses: sql`${fleetJoinTokensTable.uses} + 1` }).where(eq(fleetJoinTokensTable.id, token.id)).run()
    const inserted = deps.db
      .insert(fleetNodesTable)
      .values({ id: nodeId, name: node.name, version: node.version, joinTokenId: token.id, trustTier: token.trustTier, regions: token.regions, status: 'online', tokenJti: jti, tokenExpiresAt, offerings: node.offerings, concurrentItems: node.capacity.concurrent_items, lastHeartbeatAt: now, joinedAt: now })
      .returning()
      .get()
    recordAudit(deps, { actorKeyId: null, action: 'fleet.node.join', subjectId: nodeId, detail: { join_token_id: token.id, trust_tier: token.trustTier, regions: token.regions, name: node.name } })
    return inserted
  })
  fleetChanged(deps.db)
  deps.nudge('fleet-nodes')
  const { fleet } = deps.config
  return { node_id: row.id, node_token: nodeToken, token_expires_at: new Date(tokenExpiresAt).toISOString(), heartbeat_interval_seconds: fleet.heartbeatSeconds, lease_seconds: fleet.leaseSeconds, router_version: VERSION }
}
