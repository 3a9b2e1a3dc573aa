/** What other features use of routing: the pure planner, its vocabulary and pricing. */
export * from './vocabulary'
export type * from './types'
export { selectLanes } from './select-lanes'
export { groupDemands, planRouting, modelLookup, type GroupPlan, type RoutingPlan, type DemandItem } from './plan'
export { policyFromRequest, slaSecondsFor, type RoutingRequestFields } from './policy'
export { priceTokens, addFees, sumPrices } from './price'
export { liveOfferingStates, catalogRates, ratesToLock, type LockedRates } from './live-state'
export { RoutingFields } from './models'
