/**
 * The fleet's hot reads as statements prepared once per database (bun:sqlite): every node request
 * authenticates, every lease (and every wake of a long poll) reads the node, and the fleet-nodes
 * job probes for silent nodes on every tick — building those through the query builder each time
 * was a sixth of the router's CPU under load (bench/fleet.ts profile).
 */
import type { Statement } from 'bun:sqlite'
import type { Db } from '../../db/client'
import type { NodeOffering, NodeRow } from './table'

interface Statements {
  auth: Statement
  leaseView: Statement
  anySilent: Statement
}

const cache = new WeakMap<Db, Statements>()

function statements(db: Db): Statements {
  let s = cache.get(db)
  if (!s) {
    s = {
      auth: db.$client.prepare('SELECT id, status, token_jti AS tokenJti, previous_jti AS previousJti, previous_jti_until AS previousJtiUntil FROM fleet_nodes WHERE id = ?'),
      leaseView: db.$client.prepare('SELECT id, status, upstream_health AS upstreamHealth, trust_tier AS trustTier, regions, offerings FROM fleet_nodes WHERE id = ?'),
      anySilent: db.$client.prepare("SELECT 1 FROM fleet_nodes WHERE status IN ('online', 'draining') AND last_heartbeat_at < ? LIMIT 1"),
    }
    cache.set(db, s)
  }
  return s
}

/** What authentication needs of a node. */
export type AuthView = Pick<NodeRow, 'id' | 'status' | 'tokenJti' | 'previousJti' | 'previousJtiUntil'>

export function nodeAuthView(db: Db, nodeId: string): AuthView | null {
  return (statements(db).auth.get(nodeId) as AuthView | null) ?? null
}

/** What a lease needs of a node; the JSON columns are kept as text for a cheap cache key. */
export interface LeaseView {
  id: string
  status: NodeRow['status']
  upstreamHealth: NodeRow['upstreamHealth']
  trustTier: NodeRow['trustTier']
  regionsJson: string
  offeringsJson: string
}

export function nodeLeaseView(db: Db, nodeId: string): LeaseView | null {
  const row = statements(db).leaseView.get(nodeId) as (Omit<LeaseView, 'regionsJson' | 'offeringsJson'> & { regions: string; offerings: string }) | null
  return row ? { id: row.id, status: row.status, upstreamHealth: row.upstreamHealth, trustTier: row.trustTier, regionsJson: row.regions, offeringsJson: row.offerings } : null
}

/** Parses a lease view's JSON columns. */
export function leaseViewNode(view: LeaseView): Pick<NodeRow, 'trustTier' | 'regions' | 'offerings'> {
  return { trustTier: view.trustTier, regions: JSON.parse(view.regionsJson) as string[], offerings: JSON.parse(view.offeringsJson) as NodeOffering[] }
}

/** Whether any online or draining node's last heartbeat is before `before`. */
export function anySilentNode(db: Db, before: number): boolean {
  return statements(db).anySilent.get(before) !== null
}
