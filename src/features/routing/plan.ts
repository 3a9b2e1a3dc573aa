/**
 * Routing plan for a whole request: items grouped by model × operation (or, for items whose model
 * is in the request's `models` list, by that list × operation), each group run through
 * selectLanes, totals summed. Pure; quotes, batch creation and the route job all use it.
 */
import type { Catalog, CatalogModel, CatalogOffering, Operation } from '../../catalog-schema'
import { selectLanes, type LaneSelection } from './select-lanes'
import { sumPrices } from '../catalog/index'
import type { FeeSchedule, LaneDemand, LanePrice, OfferingState, RoutingPolicy } from './types'

/** The fields of an item that routing reads (ItemDraft and item rows both fit). */
export interface DemandItem {
  model: string
  operation: Operation
  estInputTokens: number
  estOutputTokens: number
  needsTools?: boolean
  /** Why the item cannot be translated for Anthropic (`<rejection_code>:<feature>`), or null. */
  untranslatable?: string | null
}

/** Items already summed per model × operation (the route job aggregates them in SQL). */
export interface DemandRow {
  model: string
  operation: Operation
  itemCount: number
  inputTokens: number
  outputTokens: number
  maxItemTokens: number
  needsTools: boolean
  /** One item's translation refusal, if any item has one. */
  untranslatable?: string | null
}

export interface GroupPlan {
  key: string
  demand: LaneDemand
  selection: LaneSelection
  /** True when at least one lane was selected and every item placed. */
  routable: boolean
  /**
   * Not routable now, but would be once every circuit closed, every lane emptied and an edge node
   * came online: only transient obstacles stand in the way, so a batch may wait for it. A public
   * provider that is not configured is not one of them — waiting does not configure it.
   */
  waitable: boolean
  /** The selection with every transient obstacle cleared (prices a waiting group); null when routable. */
  ifAvailable: LaneSelection | null
}

export interface RoutingPlan {
  groups: GroupPlan[]
  /** Price of everything that can run now (selected allocations only). */
  total: LanePrice
}

/** Groups items into demands (in first-seen order); see groupDemandRows for `acceptable`. */
export function groupDemands(items: Iterable<DemandItem>, models: (slug: string) => CatalogModel | undefined, acceptable?: string[]): LaneDemand[] {
  const rows: DemandRow[] = []
  for (const item of items) {
    const tokens = item.estInputTokens + item.estOutputTokens
    rows.push({ model: item.model, operation: item.operation, itemCount: 1, inputTokens: item.estInputTokens, outputTokens: item.estOutputTokens, maxItemTokens: tokens, needsTools: Boolean(item.needsTools), untranslatable: item.untranslatable ?? null })
  }
  return groupDemandRows(rows, models, acceptable)
}

/**
 * Merges rows into demands. Rows whose model is in `acceptable` (the request's `models` list)
 * form one group per operation that may run on any listed model; other rows group by model.
 * Throws Error for a model the catalog does not know (items are validated before routing).
 */
export function groupDemandRows(rows: Iterable<DemandRow>, models: (slug: string) => CatalogModel | undefined, acceptable?: string[]): LaneDemand[] {
  const listed = (acceptable ?? []).map(models).filter((m): m is CatalogModel => m !== undefined)
  const groups = new Map<string, LaneDemand>()
  for (const row of rows) {
    const model = models(row.model)
    if (!model) throw new Error(`routing: unknown model ${row.model}`)
    const operation = row.operation
    const inList = listed.some((m) => m.slug === model.slug)
    const key = inList ? `models|${operation}` : `${model.slug}|${operation}`
    let g = groups.get(key)
    if (!g) {
      const primary = inList ? (listed.find((m) => m.operations.includes(operation)) ?? model) : model
      g = { model: primary, operation, itemCount: 0, inputTokens: 0, outputTokens: 0, maxItemTokens: 0, needsTools: false, itemModels: [], ...(inList ? { alternatives: listed } : {}) }
      groups.set(key, g)
    }
    g.itemCount += row.itemCount
    g.inputTokens += row.inputTokens
    g.outputTokens += row.outputTokens
    g.maxItemTokens = Math.max(g.maxItemTokens, row.maxItemTokens)
    g.needsTools ||= row.needsTools
    if (row.untranslatable && !g.untranslatable) g.untranslatable = row.untranslatable
    if (!g.itemModels!.includes(model.slug)) g.itemModels!.push(model.slug)
  }
  return [...groups.values()]
}

/** A stable name for a demand's group: `model|operation`, or `models|operation` for a models list. */
export function demandKey(demand: LaneDemand): string {
  return `${demand.alternatives && demand.alternatives.length > 0 ? 'models' : demand.model.slug}|${demand.operation}`
}

/**
 * Items one batch's group can get on an offering when nothing else runs on it: its per-lane limit
 * (max_batch_items) within its concurrent capacity (concurrent_items, default max_batch_items).
 */
export function fullCapacity(offering: CatalogOffering): number {
  return Math.min(offering.max_batch_items, offering.concurrent_items ?? offering.max_batch_items)
}

/**
 * The states with every transient obstacle cleared: circuit closed, lanes empty, and edge lanes
 * available (a node may come online). A public offering whose provider is not configured (no
 * endpoint or credential) stays unavailable: that needs the operator, so a batch for it is
 * refused at create instead of waiting out its deadline.
 */
export function statesIfAvailable(states: OfferingState[]): OfferingState[] {
  return states.map((s) => ({ ...s, available: s.available || s.offering.lane_kind === 'edge', circuit: 'closed' as const, capacityLeft: fullCapacity(s.offering), heldItems: 0 }))
}

/**
 * Runs lane selection for every demand, in order, and sums what can run now. Groups share each
 * offering's capacity: a later group only gets the room the earlier ones left (in the plan with
 * every transient obstacle cleared too).
 */
export function planRouting(demands: LaneDemand[], states: OfferingState[], policy: RoutingPolicy, fees: FeeSchedule): RoutingPlan {
  const live = new CapacityLedger(states)
  const optimistic = new CapacityLedger(statesIfAvailable(states))
  const groups = demands.map((demand): GroupPlan => {
    const selection = live.select(demand, policy, fees)
    const routable = isPlaced(selection)
    const ifAvailable = optimistic.select(demand, policy, fees)
    return { key: demandKey(demand), demand, selection, routable, waitable: !routable && isPlaced(ifAvailable), ifAvailable: routable ? null : ifAvailable }
  })
  return { groups, total: sumPrices(groups.flatMap((g) => selectedPrices(g.selection))) }
}

/** Offering states whose capacity shrinks as groups are allocated. */
class CapacityLedger {
  private used = new Map<string, number>()
  constructor(private readonly states: OfferingState[]) {}
  select(demand: LaneDemand, policy: RoutingPolicy, fees: FeeSchedule): LaneSelection {
    const current = this.states.map((s) => {
      const used = this.used.get(s.offering.offering_id) ?? 0
      return used === 0 ? s : { ...s, capacityLeft: Math.max(0, s.capacityLeft - used), heldItems: (s.heldItems ?? 0) + used }
    })
    const selection = selectLanes(demand, current, policy, fees)
    for (const c of selection.candidates) if (c.itemCount > 0) this.used.set(c.offeringId, (this.used.get(c.offeringId) ?? 0) + c.itemCount)
    return selection
  }
}

/**
 * What a batch of this plan reserves: each routable group at its selected lanes, each waitable
 * group at the lanes it would get once they are available; groups that can never run add nothing.
 */
export function reservationPrice(plan: RoutingPlan): LanePrice {
  return sumPrices(plan.groups.flatMap((g) => (g.routable ? selectedPrices(g.selection) : g.waitable && g.ifAvailable ? selectedPrices(g.ifAvailable) : [])))
}

function isPlaced(selection: LaneSelection): boolean {
  return selection.unallocated === 0 && selection.candidates.some((c) => c.selected)
}

function selectedPrices(selection: LaneSelection): LanePrice[] {
  return selection.candidates.filter((c) => c.selected).map((c) => c.price)
}

/** Model lookup by slug or alias over a catalog. */
export function modelLookup(catalog: Catalog): (slug: string) => CatalogModel | undefined {
  return (slug) => catalog.models.find((m) => m.slug === slug) ?? catalog.models.find((m) => m.aliases.includes(slug))
}
