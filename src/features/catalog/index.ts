/**
 * The catalog's public face for other features: schemas and types, the catalog builder, and the
 * lookups (model by slug or alias, offerings, rates in micro-dollars, availability).
 */
export { OPERATIONS, PROVIDER_KINDS, TOKENIZERS, CatalogModel, CatalogOffering, CatalogProvider, CatalogOverrides } from './models'
export type { Catalog, Operation, ProviderKind } from './models'
export { buildCatalog, wireCatalogToSimulator, isProviderConfigured, providerCredential, SIM_DEMO_KEY } from './build'
export {
  SLA_MULTIPLIER_BPS,
  findModel,
  offeringsFor,
  ratesPer1mMicros,
  providerOf,
  isOfferingAvailable,
  maxInputTokens,
  listCatalogModels,
} from './service'
export type { RatesPer1m, SlaTier, ListedModel } from './service'
export { catalogRoutes } from './routes'
