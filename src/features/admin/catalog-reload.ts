/**
 * Catalog reload: re-reads the `catalog` section of the config file the router was started with,
 * builds it exactly as at start (defaults + overrides), and swaps it in. Anything wrong — an
 * unreadable file, bad JSON/TOML, a schema error, an offering naming an unknown model — answers
 * 400 validation_failed naming the problem, and the running catalog stays as it was.
 */
import type { Deps } from '../../deps'
import { readCatalogSection } from '../../config'
import { AppError } from '../../lib/errors'
import { buildCatalog, type Catalog } from '../catalog/index'
import { recordAudit } from '../audit'

/** What a reload swapped in: counts of the effective catalog and its pricing date. */
export interface CatalogReload {
  models: number
  offerings: number
  pricingUpdatedAt: string
}

/** Reloads the catalog from `config.configPath`; throws 409 no_config_file without one, 400 validation_failed for a bad file. Audited. */
export function reloadCatalogFromFile(deps: Deps, actorKeyId: string | null): CatalogReload {
  const path = deps.config.configPath
  if (!path) {
    throw new AppError('no_config_file', { message: 'The router was started without a config file (--config or BATCHROUTER_CONFIG), so there is no catalog to reload; restart it with one.' })
  }
  const effective = deps.replaceCatalog(buildFromFile(path))
  const reload = { models: effective.models.length, offerings: effective.offerings.length, pricingUpdatedAt: effective.pricingUpdatedAt }
  recordAudit(deps, { actorKeyId, action: 'catalog.reload', subjectId: null, detail: { config_path: path, models: reload.models, offerings: reload.offerings, pricing_updated_at: reload.pricingUpdatedAt } })
  deps.log.info('catalog reloaded', { config_path: path, models: reload.models, offerings: reload.offerings })
  return reload
}

function buildFromFile(path: string): Catalog {
  try {
    return buildCatalog(readCatalogSection(path))
  } catch (err) {
    const problem = err instanceof Error ? err.message : String(err)
    throw new AppError('validation_failed', { message: `The config file's catalog was not applied; the running catalog is unchanged. ${problem}`, param: 'catalog' })
  }
}
