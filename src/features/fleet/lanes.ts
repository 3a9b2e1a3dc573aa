/**
 * Edge lanes from online nodes (contract §11): each (model, trust tier, region) served by at
 * least one online node with a healthy upstream is an offering `edge:<model>:<tier>:<region>`
 * (provider `edge`, lane_kind `edge`) added to the effective catalog, so quotes, routing, the
 * catalog listing and receipts see it like any other. Its concurrency is the live sum of the
 * nodes' concurrency for it; it may hold `fleet.itemsPerSlot` items per unit of that (queued work
 * waiting for the nodes). A node that goes offline, drains, reports its upstream down or is revoked
 * takes its share out on the next read; a lane no node serves leaves the catalog.
 */
import type { Catalog, CatalogModel, CatalogOffering } from '../../catalog-schema'
import type { Deps } from '../../deps'
import { findModel } from '../catalog/index'
import { formatMicros, parseMicros } from '../../lib/money'
import { FLEET_OFFERING_PREFIX } from '../catalog/index'
import { eq } from 'drizzle-orm'
import { fleetNodesTable, type NodeOffering, type NodeRow, type TrustTier } from './table'
import { fleetGeneration } from './signals'

/** The offering id of a fleet lane. */
export function edgeOfferingId(model: string, tier: TrustTier, region: string): string {
  return `${FLEET_OFFERING_PREFIX}${model}:${tier}:${region}`
}

/** What the edge lanes a node serves are: its offerings × its regions, at its trust tier (catalog slugs where the catalog knows the model). */
export function nodeOfferingIds(catalog: Catalog, node: Pick<NodeRow, 'offerings' | 'regions' | 'trustTier'>): string[] {
  return node.offerings.flatMap((o) => node.regions.map((r) => edgeOfferingId(slugOf(catalog, o.model), node.trustTier, r)))
}

/** A node contributes lanes while it is online with a healthy upstream. */
export function servesWork(node: Pick<NodeRow, 'status' | 'upstreamHealth'>): boolean {
  return node.status === 'online' && node.upstreamHealth === 'ok'
}

/** What lanes are built from: a node row's serving fields. */
export type EdgeNode = Pick<NodeRow, 'status' | 'upstreamHealth' | 'offerings' | 'regions' | 'trustTier' | 'concurrentItems'>

interface Built {
  base: Catalog
  generation: number
  /** SQLite's data_version: moves when another connection (a `batchrouter fleet revoke` beside the server) commits. */
  dataVersion: number
  composed: Catalog
}
const cache = new WeakMap<object, Built>()
const dataVersions = new WeakMap<object, { get(): unknown }>()

function dataVersion(deps: Deps): number {
  let q = dataVersions.get(deps.db)
  if (!q) dataVersions.set(deps.db, (q = deps.db.$client.query('PRAGMA data_version')))
  return (q.get() as { data_version: number }).data_version
}

/** `base` with the edge lanes (and any model only nodes know) of the nodes serving now; rebuilt only when the fleet or the base changed. */
export function withFleetLanes(deps: Deps, base: Catalog): Catalog {
  const generation = fleetGeneration(deps.db)
  const version = dataVersion(deps)
  const built = cache.get(deps.db)
  if (built && built.base === base && built.generation === generation && built.dataVersion === version) return built.composed
  const nodes = deps.db.select().from(fleetNodesTable).where(eq(fleetNodesTable.status, 'online')).all()
  const composed = withEdgeLanes(base, nodes, deps.config.fleet)
  cache.set(deps.db, { base, generation, dataVersion: version, composed })
  return composed
}

interface LaneAcc {
  model: CatalogModel
  tier: TrustTier
  region: string
  concurrency: number
  served: NodeOffering[]
}

/** The fleet settings edge lanes are priced and sized by (config `fleet`). */
export type FleetLaneSettings = Pick<Deps['config']['fleet'], 'itemsPerSlot' | 'inputPer1m' | 'outputPer1m'>

/** Pure: `base` plus the edge lanes of those of `nodes` that serve work now (see the file comment). */
export function withEdgeLanes(base: Catalog, nodes: readonly EdgeNode[], fleet: FleetLaneSettings): Catalog {
  const serving = nodes.filter(servesWork)
  if (serving.length === 0) return base
  const lanes = new Map<string, LaneAcc>()
  const extraModels = new Map<string, CatalogModel>()
  for (const node of serving) {
    for (const o of node.offerings) {
      const model = findModel(base, o.model) ?? extraModels.get(o.model) ?? extraModels.set(o.model, nodeModel(o)).get(o.model)!
      for (const region of node.regions) {
        const id = edgeOfferingId(model.slug, node.trustTier, region)
        const lane = lanes.get(id) ?? lanes.set(id, { model, tier: node.trustTier, region, concurrency: 0, served: [] }).get(id)!
        lane.concurrency += Math.min(o.concurrency ?? node.concurrentItems, node.concurrentItems)
        lane.served.push(o)
      }
    }
  }
  const offerings = [...lanes.entries()].map(([id, lane]) => laneOffering(fleet, id, lane))
  const providers = base.providers.some((p) => p.id === 'edge') ? base.providers : [...base.providers, { id: 'edge', display_name: 'Private edge nodes', kind: 'edge' as const }]
  return { ...base, models: [...base.models, ...extraModels.values()], providers, offerings: [...base.offerings, ...offerings] }
}

function laneOffering(fleet: FleetLaneSettings, id: string, lane: LaneAcc): CatalogOffering {
  const holds = Math.max(1, lane.concurrency * fleet.itemsPerSlot)
  return {
    offering_id: id,
    model: lane.model.slug,
    provider: 'edge',
    lane_kind: 'edge',
    input_per_1m: fleet.inputPer1m ?? lowest(lane.served, 'input_per_1m'),
    output_per_1m: fleet.outputPer1m ?? lowest(lane.served, 'output_per_1m'),
    max_batch_items: holds,
    concurrent_items: holds,
    concurrency: Math.max(1, lane.concurrency),
    regions: [lane.region],
    retention: { zdr: true, days: 0 },
    privacy_tiers: lane.tier === 'restricted' ? ['standard', 'confidential', 'restricted'] : ['standard', 'confidential'],
    hosted_tools: [],
    supports_tools: true,
    turnaround_seconds: 3600,
  }
}

/** The lowest price the serving nodes state for a side (USD per 1M, 6 decimals); 0 when none states one. */
function lowest(served: NodeOffering[], side: 'input_per_1m' | 'output_per_1m'): string {
  const prices = served.flatMap((o) => (o.pricing ? [parseMicros(o.pricing[side]) ?? 0] : []))
  return formatMicros(prices.length > 0 ? Math.min(...prices) : 0)
}

/** A model only a node knows (e.g. an Ollama tag): listed with what the node declares, estimated tokens. */
function nodeModel(o: NodeOffering): CatalogModel {
  const maxOut = o.max_output_tokens ?? 4096
  return { slug: o.model, display_name: o.model, provider: 'edge', aliases: [], operations: o.operations, context_window: o.context_window ?? 8192, max_output_tokens: maxOut, default_output_tokens: Math.min(1024, maxOut), tokenizer: 'estimate' }
}

function slugOf(catalog: Catalog, model: string): string {
  return findModel(catalog, model)?.slug ?? model
}
