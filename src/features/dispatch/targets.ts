/**
 * The one offering → adapter lookup: a configured offering (features/catalog `liveOffering`) with
 * the adapter that speaks its provider's wire protocol and the endpoint to reach it. A target is
 * request-style (one call per item: OpenAI-compatible hosts) or batch-style (provider jobs:
 * OpenAI Batch, Anthropic Message Batches); every runner and re-route asks here.
 */
import type { Catalog, CatalogOffering, CatalogProvider, ProviderKind } from '../../catalog-schema'
import type { Adapters } from '../../providers/registry'
import type { BatchAdapter, ProviderEndpoint, RequestAdapter } from '../../providers/types'
import { liveOffering, liveOfferings, providerCredential, type LiveOffering } from '../catalog/index'

interface TargetBase {
  offering: CatalogOffering
  provider: CatalogProvider
  endpoint: ProviderEndpoint
  /** The model name sent upstream. */
  upstreamModel: string
}
export interface RequestTarget extends TargetBase {
  style: 'request'
  adapter: RequestAdapter
}
export interface BatchTarget extends TargetBase {
  style: 'batch'
  adapter: BatchAdapter
}
export type Target = RequestTarget | BatchTarget

/** The adapter of a provider kind; null for a kind this build has no adapter for (`edge` until the fleet lands). */
export function adapterFor(adapters: Adapters, kind: ProviderKind): Pick<RequestTarget, 'style' | 'adapter'> | Pick<BatchTarget, 'style' | 'adapter'> | null {
  switch (kind) {
    case 'openai-compatible':
      return { style: 'request', adapter: adapters['openai-compatible'] }
    case 'openai-batch':
    case 'anthropic-batches':
      return { style: 'batch', adapter: adapters[kind] }
    default:
      return null
  }
}

/** The target of `offeringId`: configured and with an adapter, else null. */
export function targetOf(catalog: Catalog, adapters: Adapters, offeringId: string): Target | null {
  const live = liveOffering(catalog, offeringId)
  return live ? withAdapter(live, adapters) : null
}

/** Every target of the catalog, in catalog order. */
export function liveTargets(catalog: Catalog, adapters: Adapters): Target[] {
  return liveOfferings(catalog).flatMap((live) => {
    const target = withAdapter(live, adapters)
    return target ? [target] : []
  })
}

function withAdapter({ offering, provider }: LiveOffering, adapters: Adapters): Target | null {
  const speaks = adapterFor(adapters, provider.kind)
  if (!speaks) return null
  const base = { offering, provider, endpoint: providerEndpoint(provider), upstreamModel: offering.upstream_model ?? offering.model }
  return speaks.style === 'request' ? { ...base, ...speaks } : { ...base, ...speaks }
}

/** Where an adapter talks for a provider: base URL and the credential (env var, else config file). */
function providerEndpoint(provider: CatalogProvider): ProviderEndpoint {
  return { providerId: provider.id, baseUrl: provider.base_url ?? '', apiKey: providerCredential(provider) }
}
