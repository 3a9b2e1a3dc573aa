/**
 * Nodes after they joined: heartbeats (health, capacity, offerings; a fresh credential in the
 * last quarter of the current one's life), the operator's list / get / drain / revoke, and the
 * sweep that marks a node silent for 3 heartbeat intervals offline. A node that stops serving
 * (offline, revoked) hands its leases back at once: its items return to the queue.
 */
import { and, asc, eq, inArray, lt } from 'drizzle-orm'
import type { Deps } from '../../deps'
import { writeTx } from '../../db/tx'
import { notFound } from '../../lib/errors'
import { newId } from '../../lib/ids'
import { recordAudit } from '../audit/index'
import { endLeaseInTx, NODE_ITEM_LEASES, leasesTable } from '../dispatch/index'
import { fleetChanged } from './signals'
import { anySilentNode } from './statements'
import { fleetNodesTable, type NodeOffering, type NodeRow, type UpstreamHealth } from './table'
import { NODE_AUDIENCE, signFleetToken } from './tokens'

/** Missed heartbeat intervals after which a node is offline. */
export const MISSED_HEARTBEATS = 3

/** What a node reports on each heartbeat. */
export interface Heartbeat {
  offerings?: NodeOffering[]
  capacity?: { concurrent_items: number }
  in_flight: number
  health: { upstream: UpstreamHealth; detail?: string }
}

/** Records a heartbeat; rotates the credential when it is within a quarter of its life. */
export async function heartbeat(deps: Deps, nodeId: string, hb: Heartbeat): Promise<{ status: NodeRow['status']; drain: boolean; node_token?: string; token_expires_at?: string }> {
  const now = deps.clock.now()
  const node = getNodeRow(deps, nodeId)
  const ttl = deps.config.fleet.tokenTtlSeconds * 1000
  const rotate = node.tokenExpiresAt - now <= ttl / 4
  const jti = rotate ? newId('joinToken').replace('jtok_', 'ntok_') : null
  const expiresAt = now + ttl
  const token = jti ? await signFleetToken(deps, NODE_AUDIENCE, { jti, sub: nodeId, expiresAt }) : undefined
  const { row, changed } = writeTx(deps.db, () => {
    const current = getNodeRow(deps, nodeId)
    const back = current.status === 'offline'
    const next = {
      lastHeartbeatAt: now,
      inFlight: hb.in_flight,
      upstreamHealth: hb.health.upstream,
      healthDetail: hb.health.detail ?? null,
      ...(hb.offerings ? { offerings: hb.offerings } : {}),
      ...(hb.capacity ? { concurrentItems: hb.capacity.concurrent_items } : {}),
      ...(back ? { status: 'online' as const } : {}),
      ...(jti ? { tokenJti: jti, tokenExpiresAt: expiresAt, previousJti: current.tokenJti, previousJtiUntil: current.tokenExpiresAt } : {}),
    }
    if (back) recordAudit(deps, { actorKeyId: null, action: 'fleet.node.online', subjectId: nodeId })
    const updated = deps.db.update(fleetNodesTable).set(next).where(eq(fleetNodesTable.id, nodeId)).returning().get()
    const moved = back || current.upstreamHealth !== updated.upstreamHealth || current.concurrentItems !== updated.concurrentItems || JSON.stringify(current.offerings) !== JSON.stringify(updated.offerings)
    return { row: updated, changed: moved }
  })
  if (changed) {
    fleetChanged(deps.db)
    deps.nudge('fleet-nodes')
  }
  return { status: row.status, drain: row.status === 'draining', ...(token ? { node_token: token, token_expires_at: new Date(expiresAt).toISOString() } : {}) }
}

/** A node row, or 404. */
export function getNodeRow(deps: Deps, nodeId: string): NodeRow {
  const row = deps.db.select().from(fleetNodesTable).where(eq(fleetNodesTable.id, nodeId)).get()
  if (!row) throw notFound('node', nodeId)
  return row
}

/** Every node, oldest first. */
export function listNodes(deps: Deps): NodeRow[] {
  return deps.db.select().from(fleetNodesTable).orderBy(asc(fleetNodesTable.joinedAt), asc(fleetNodesTable.id)).limit(10_000).all()
}

/** A node's active leases: id, end and how many items each still holds. */
export function activeLeases(deps: Deps, nodeId: string): Array<{ id: string; leaseUntil: number; items: number }> {
  const leases = deps.db.select().from(leasesTable).where(and(eq(leasesTable.holder, nodeId), eq(leasesTable.kind, NODE_ITEM_LEASES.name))).all()
  const count = deps.db.$client.query('SELECT count(*) AS n FROM items WHERE lease_id = ?')
  return leases.map((l) => ({ id: l.id, leaseUntil: l.leaseUntil, items: (count.get(l.id) as { n: number }).n }))
}

/** Drain: the node gets no new leases and its running ones finish. Audited; a revoked node stays revoked. */
export function drainNode(deps: Deps, actorKeyId: string | null, nodeId: string): NodeRow {
  const row = writeTx(deps.db, () => {
    const node = getNodeRow(deps, nodeId)
    if (node.status === 'revoked' || node.status === 'draining') return node
    recordAudit(deps, { actorKeyId, action: 'fleet.node.drain', subjectId: nodeId, detail: { from: node.status } })
    return deps.db.update(fleetNodesTable).set({ status: 'draining' }).where(eq(fleetNodesTable.id, nodeId)).returning().get()
  })
  fleetChanged(deps.db)
  deps.nudge('fleet-nodes')
  return row
}

/** Revoke: its credential is refused from the next request, its leases go back to the queue. Audited. */
export function revokeNode(deps: Deps, actorKeyId: string | null, nodeId: string): NodeRow {
  const row = writeTx(deps.db, () => {
    const node = getNodeRow(deps, nodeId)
    if (node.status === 'revoked') return node
    const now = deps.clock.now()
    const back = handBackLeasesInTx(deps, nodeId, now)
    recordAudit(deps, { actorKeyId, action: 'fleet.node.revoke', subjectId: nodeId, detail: { from: node.status, items_returned: back } })
    return deps.db.update(fleetNodesTable).set({ status: 'revoked', tokenJti: null, previousJti: null, revokedAt: now }).where(eq(fleetNodesTable.id, nodeId)).returning().get()
  })
  afterHandBack(deps)
  return row
}

/** Marks nodes silent for MISSED_HEARTBEATS intervals offline and hands their leases back. Returns how many went offline. */
export function markSilentNodesOffline(deps: Deps, now: number): number {
  const silentBefore = now - MISSED_HEARTBEATS * deps.config.fleet.heartbeatSeconds * 1000
  if (!anySilentNode(deps.db, silentBefore)) return 0
  const silent = () => deps.db.select().from(fleetNodesTable).where(and(inArray(fleetNodesTable.status, ['online', 'draining']), lt(fleetNodesTable.lastHeartbeatAt, silentBefore))).all()
  const n = writeTx(deps.db, () => {
    const nodes = silent()
    for (const node of nodes) {
      const back = handBackLeasesInTx(deps, node.id, now)
      deps.db.update(fleetNodesTable).set({ status: 'offline', inFlight: 0 }).where(eq(fleetNodesTable.id, node.id)).run()
      recordAudit(deps, { actorKeyId: null, action: 'fleet.node.offline', subjectId: node.id, detail: { last_heartbeat_at: new Date(node.lastHeartbeatAt).toISOString(), items_returned: back } })
    }
    return nodes.length
  })
  afterHandBack(deps)
  return n
}

/** Ends every item lease the node holds (its items go back to the queue); inside the caller's transaction. */
function handBackLeasesInTx(deps: Deps, nodeId: string, now: number): number {
  const leases = deps.db.select({ id: leasesTable.id }).from(leasesTable).where(and(eq(leasesTable.holder, nodeId), eq(leasesTable.kind, NODE_ITEM_LEASES.name))).all()
  return leases.reduce((n, l) => n + endLeaseInTx(deps, NODE_ITEM_LEASES, l.id, now), 0)
}

function afterHandBack(deps: Deps): void {
  fleetChanged(deps.db)
  deps.nudge('fleet-nodes')
  deps.nudge('dispatch-items')
}
