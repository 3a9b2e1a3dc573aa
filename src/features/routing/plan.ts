/**
 * Routing plan for a whole request: items grouped by model × operation, each group run through
 * selectLanes, totals summed. Pure; quotes, batch creation and the route job all use it.
 */
import type { Catalog, CatalogModel, Operation } from '../catalog/models'
import { selectLanes, type LaneSelection } from './select-lanes'
import { sumPrices } from './price'
import type { FeeSchedule, LaneDemand, LanePrice, OfferingState, RoutingPolicy } from './types'

/** The fields of an item that routing reads (ItemDraft and item rows both fit). */
export interface DemandItem {
  model: string
  operation: string
  estInputTokens: number
  estOutputTokens: number
  needsTools?: boolean
}

export interface GroupPlan {
  key: string
  demand: LaneDemand
  selection: LaneSelection
  /** True when at least one lane was selected and every item placed. */
  routable: boolean
}

export interface RoutingPlan {
  groups: GroupPlan[]
  /** Price of everything that can run (selected allocations only). */
  total: LanePrice
}

/** Groups items by model × operation into demands (in first-seen order). */
export function groupDemands(items: Iterable<DemandItem>, models: (slug: string) => CatalogModel | undefined): LaneDemand[] {
  const groups = new Map<string, LaneDemand>()
  for (const item of items) {
    const key = `${item.model}|${item.operation}`
    let g = groups.get(key)
    if (!g) {
      const model = models(item.model)
      if (!model) throw new Error(`routing: unknown model ${item.model}`)
      g = { model, operation: item.operation as Operation, itemCount: 0, inputTokens: 0, outputTokens: 0, maxItemTokens: 0, needsTools: false }
      groups.set(key, g)
    }
    g.itemCount += 1
    g.inputTokens += item.estInputTokens
    g.outputTokens += item.estOutputTokens
    g.maxItemTokens = Math.max(g.maxItemTokens, item.estInputTokens + item.estOutputTokens)
    g.needsTools ||= Boolean(item.needsTools)
  }
  return [...groups.values()]
}

/** Runs lane selection for every demand and sums what can run. */
export function planRouting(demands: LaneDemand[], states: OfferingState[], policy: RoutingPolicy, fees: FeeSchedule): RoutingPlan {
  const groups = demands.map((demand): GroupPlan => {
    const selection = selectLanes(demand, states, policy, fees)
    const routable = selection.unallocated === 0 && selection.candidates.some((c) => c.selected)
    return { key: `${demand.model.slug}|${demand.operation}`, demand, selection, routable }
  })
  const selectedPrices = groups.flatMap((g) => g.selection.candidates.filter((c) => c.selected).map((c) => c.price))
  return { groups, total: sumPrices(selectedPrices) }
}

/** Model lookup by slug or alias over a catalog. */
export function modelLookup(catalog: Catalog): (slug: string) => CatalogModel | undefined {
  return (slug) => catalog.models.find((m) => m.slug === slug || m.aliases.includes(slug))
}
