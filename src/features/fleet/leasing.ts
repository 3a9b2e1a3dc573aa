/**
 * Handing work to a node (contract §11 POST /v1/fleet/leases): a claim of due items on the edge
 * lanes the node serves — the same item lease and claim helper the runners use, held by the node —
 * with each item's OpenAI request body built from its stored line (the request runner's
 * `requestOf`), ready to send upstream. An empty answer waits (long poll) on the fleet's wake-up
 * signal, never in a busy loop. Extending moves the lease's end; once it lapsed, 409 lease_expired.
 */
import { and, eq } from 'drizzle-orm'
import type { Deps } from '../../deps'
import { writeTx } from '../../db/tx'
import { AppError, notFound } from '../../lib/errors'
import { toIso } from '../../lib/clock'
import { upstreamBody } from '../../providers/openai-compatible/index'
import { claimNodeItems, extendLease, NODE_ITEM_LEASES, leasesTable, readLines, requestOf, RunnerCaches, type NodeClaimedItem, type WorkPorts } from '../dispatch/index'
import { edgeOfferingId, servesWork } from './lanes'
import { leaseViewNode, nodeLeaseView, type LeaseView } from './statements'
import { waitForWork } from './signals'
import type { NodeRow } from './table'
import { findModel } from '../catalog/index'

/** One leased item as the node receives it. */
export interface LeasedItem {
  item_id: string
  attempt: number
  operation: string
  model: string
  served_model: string
  request: Record<string, unknown>
}

/** A lease answer; `lease_id` null when nothing was waiting. */
export interface LeaseAnswer {
  lease_id: string | null
  lease_until: string | null
  items: LeasedItem[]
}

const servedCache = new WeakMap<object, Map<string, { key: string; served: Map<string, string> }>>()

/** Offering id → the model name this node sends upstream for it (cached per node while its offerings and the catalog stay the same). */
function servedModels(deps: Deps, view: LeaseView): Map<string, string> {
  const catalog = deps.catalog()
  const key = `${view.id}|${view.trustTier}|${view.regionsJson}|${view.offeringsJson}`
  let perNode = servedCache.get(catalog)
  if (!perNode) servedCache.set(catalog, (perNode = new Map()))
  const cached = perNode.get(view.id)
  if (cached?.key === key) return cached.served
  const served = buildServed(catalog, leaseViewNode(view))
  perNode.set(view.id, { key, served })
  return served
}

function buildServed(catalog: ReturnType<Deps['catalog']>, node: Pick<NodeRow, 'trustTier' | 'regions' | 'offerings'>): Map<string, string> {
  const out = new Map<string, string>()
  for (const o of node.offerings) {
    const slug = findModel(catalog, o.model)?.slug ?? o.model
    for (const region of node.regions) out.set(edgeOfferingId(slug, node.trustTier, region), o.served_model ?? o.model)
  }
  return out
}

/**
 * How often a waiting long poll looks again without being woken: items whose retry backoff ends
 * become due with no nudge, so a nudge alone would leave them for the node's next poll.
 */
const RECHECK_MS = 1000

/** Claims up to `maxItems` for the node, waiting up to `waitSeconds` for some to become due. */
export async function leaseForNode(deps: Deps, ports: WorkPorts, nodeId: string, maxItems: number, waitSeconds: number): Promise<LeaseAnswer> {
  const deadline = Date.now() + waitSeconds * 1000
  for (;;) {
    const answer = await claimOnce(deps, ports, nodeId, maxItems)
    const left = deadline - Date.now()
    if (answer.items.length > 0 || left <= 0) return answer
    await waitForWork(deps.db, Math.min(left, RECHECK_MS))
  }
}

async function claimOnce(deps: Deps, ports: WorkPorts, nodeId: string, maxItems: number): Promise<LeaseAnswer> {
  const node = nodeLeaseView(deps.db, nodeId)
  if (!node) throw notFound('node', nodeId)
  // Draining, offline-but-calling, degraded or down upstream: no new work.
  if (!servesWork(node)) return { lease_id: null, lease_until: null, items: [] }
  const served = servedModels(deps, node)
  const now = deps.clock.now()
  const until = now + deps.config.fleet.leaseSeconds * 1000
  const params = { offerings: JSON.stringify([...served.keys()]), nodeId }
  if (!claimNodeItems.anyDue(deps, now, params)) return { lease_id: null, lease_until: null, items: [] }
  const claim = writeTx(deps.db, () => {
    const c = claimNodeItems.claimInTx(deps, { holder: nodeId, until, limit: maxItems, now, params })
    if (c.rows.length > 0) ports.startedInTx(deps, new Set(c.rows.map((i) => i.batchId)), now)
    return c
  })
  if (claim.leaseId === null) return { lease_id: null, lease_until: null, items: [] }
  return { lease_id: claim.leaseId, lease_until: toIso(until), items: await requests(deps, ports, claim.rows, served) }
}

/** The upstream request of each claimed item; an item whose line cannot be read is left out here and fails through the outcome path when its lease ends. */
async function requests(deps: Deps, ports: WorkPorts, items: NodeClaimedItem[], served: Map<string, string>): Promise<LeasedItem[]> {
  const inputs = new RunnerCaches(deps, ports).inputs(items)
  const out: LeasedItem[] = []
  for (const [batchId, group] of Map.groupBy(items, (i) => i.batchId)) {
    const input = inputs.get(batchId) ?? { inputPath: '', orgId: '' }
    const lines = await readLines(input, group)
    for (const item of group) {
      const servedModel = served.get(item.offeringId ?? '') ?? item.model
      try {
        const request = await requestOf(deps, item, lines.get(item.id), input, servedModel)
        out.push({ item_id: item.id, attempt: item.attempts, operation: item.operation, model: item.model, served_model: servedModel, request: upstreamBody(request) })
      } catch (err) {
        deps.log.warn('fleet item could not be built', { item_id: item.id, error: err instanceof Error ? err.message : String(err) })
      }
    }
  }
  return out
}

/** The node's own item lease, or 404 (unknown, or another node's) / 409 lease_expired (it lapsed and its items went back). */
export function nodeLease(deps: Deps, nodeId: string, leaseId: string) {
  const lease = deps.db.select().from(leasesTable).where(and(eq(leasesTable.id, leaseId), eq(leasesTable.kind, NODE_ITEM_LEASES.name))).get()
  if (lease && lease.holder !== nodeId) throw notFound('lease', leaseId)
  if (!lease || lease.leaseUntil < deps.clock.now()) throw leaseExpired(leaseId)
  return lease
}

export function leaseExpired(leaseId: string): AppError {
  return new AppError('lease_expired', { message: `Lease ${leaseId} has lapsed (or was never this node's): its items went back to the queue. Drop them and lease again.`, param: 'lease_id' })
}

/** Moves the node's lease end to now + `seconds` (default the lease length). */
export function extendNodeLease(deps: Deps, nodeId: string, leaseId: string, seconds?: number): { lease_until: string } {
  nodeLease(deps, nodeId, leaseId)
  const until = deps.clock.now() + (seconds ?? deps.config.fleet.leaseSeconds) * 1000
  if (!extendLease(deps, leaseId, until)) throw leaseExpired(leaseId)
  return { lease_until: toIso(until) }
}
