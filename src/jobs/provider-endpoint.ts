/** Where an adapter talks for a catalog provider: base URL and the credential (env var, else config file). */
import { providerCredential } from '../features/catalog/index'
import type { CatalogProvider } from '../catalog-schema'
import type { ProviderEndpoint } from '../providers/types'

/** The endpoint of a configured provider (callers check isProviderConfigured first). */
export function providerEndpoint(provider: CatalogProvider): ProviderEndpoint {
  return { providerId: provider.id, baseUrl: provider.base_url ?? '', apiKey: providerCredential(provider) }
}
