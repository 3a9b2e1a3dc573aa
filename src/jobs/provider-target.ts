/** The offering a provider job runs on, resolved to its batch adapter and endpoint; and error normalizing. */
import type { Deps } from '../deps'
import { isProviderConfigured } from '../features/catalog/index'
import type { CatalogOffering, CatalogProvider } from '../catalog-schema'
import { providerError } from '../providers/http-errors'
import { isBatchAdapter, type Adapters } from '../providers/registry'
import { ProviderCallError, type BatchAdapter, type ProviderEndpoint, type ProviderError } from '../providers/types'
import { providerEndpoint } from './provider-endpoint'

export interface Target {
  offering: CatalogOffering
  provider: CatalogProvider
  adapter: BatchAdapter
  endpoint: ProviderEndpoint
  /** The model name sent upstream. */
  upstreamModel: string
}

/** The configured batch-dialect target of an offering, or null (unknown, unconfigured or request-style). */
export function resolveTarget(deps: Deps, adapters: Adapters, offeringId: string): Target | null {
  const catalog = deps.catalog()
  const offering = catalog.offerings.find((o) => o.offering_id === offeringId)
  const provider = offering && catalog.providers.find((p) => p.id === offering.provider)
  if (!offering || !provider || !isProviderConfigured(provider)) return null
  const adapter = adapters[provider.kind as keyof Adapters] as Adapters[keyof Adapters] | undefined
  if (!adapter || !isBatchAdapter(adapter)) return null
  return { offering, provider, adapter, endpoint: providerEndpoint(provider), upstreamModel: offering.upstream_model ?? offering.model }
}

/** The ProviderError of anything an adapter threw (an unexpected exception counts as a retryable server error). */
export function callError(err: unknown): ProviderError {
  if (err instanceof ProviderCallError) return err.error
  return providerError('server_error', `Unexpected error talking to the provider: ${err instanceof Error ? err.message.slice(0, 200) : 'unknown'}.`)
}
