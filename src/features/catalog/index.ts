/**
 * The catalog's public face for other features: schemas and types, the catalog builder, and the
 * lookups (model by slug or alias, offerings, rates in micro-dollars, availability).
 */
export { OPERATIONS, PROVIDER_KINDS, TOKENIZERS, CatalogModel, CatalogOffering, CatalogProvider, CatalogOverrides } from './models'
export type { Catalog, Operation, ProviderKind } from './models'
export { buildCatalog, wireCatalogToSimulator, SIM_DEMO_KEY } from './build'
export {
  findModel,
  offeringsFor,
  providerOf,
  isProviderConfigured,
  providerCredential,
  liveOffering,
  liveOfferings,
  isOfferingAvailable,
  maxInputTokens,
  listCatalogModels,
  FLEET_OFFERING_PREFIX,
} from './service'
export type { ListedModel, LiveOffering } from './service'
export { slaMultiplierBps, slaFactor, presentPriceBreakdown, type PriceBreakdown, feeSchedule, ratesPer1mMicros, catalogRates, priceTokens, addFees, sumPrices, prorate, type FeeSchedule, type LanePrice, type RatesPer1m, type SlaTier } from './pricing'
export { catalogRoutes } from './routes'
