/**
 * Catalog, fees and the OpenAI model list (contract §6, §8). The catalog and fees are public;
 * `/v1/models` needs a customer key because the OpenAI SDK always sends one.
 */
import { Elysia, t } from 'elysia'
import type { Deps } from '../../deps'
import { customerAuth } from '../api-keys/index'
import { AppError } from '../../lib/errors'
import { CatalogModelsQuery, CatalogModelsResponse, FeesResponse, OpenAiModelList, OpenAiModelObject } from './models'
import { presentCatalogModels, presentFees, presentOpenAiModels } from './present'
import { listCatalogModels } from './service'

const PUBLIC = { security: [] }
const FILTERS = Object.keys(CatalogModelsQuery.properties)

/** Elysia keeps the last of repeated query keys and ignores `name[]`; a filter must be one plain string. */
function assertSingleFilters(url: string) {
  const params = new URL(url).searchParams
  for (const name of FILTERS) {
    if (params.getAll(name).length > 1 || params.has(`${name}[]`)) {
      throw new AppError('validation_failed', { message: `Invalid query parameter '${name}': give it once, as a single string.`, param: name })
    }
  }
}

/** `GET /v1/catalog/models` and `GET /v1/pricing/fees`: no key needed. */
function publicCatalogRoutes(deps: Deps) {
  return new Elysia({ tags: ['Catalog'] })
    .get(
      '/v1/catalog/models',
      ({ query, request }) => {
        assertSingleFilters(request.url)
        const catalog = deps.catalog()
        return presentCatalogModels(catalog, listCatalogModels(catalog, query))
      },
      {
        query: CatalogModelsQuery,
        response: CatalogModelsResponse,
        detail: {
          ...PUBLIC,
          summary: 'List models with their provider offerings and batch prices',
          description:
            'Every model the router knows, each with the offerings that can run it: batch prices per 1M tokens, capacity, regions, retention, privacy tiers and whether the provider is configured here (`available`). Filters combine; an unknown filter value answers an empty list; an empty or repeated filter answers 400.',
        },
      },
    )
    .get('/v1/pricing/fees', () => presentFees(deps.config.fees, deps.catalog()), {
      response: FeesResponse,
      detail: { ...PUBLIC, summary: 'Show the router fee, minimum charge, discounts and SLA multipliers' },
    })
}

/** The OpenAI-shaped model list; slugs and aliases are entries of their own. */
function openAiModelRoutes(deps: Deps) {
  const retrieve = (id: string) => {
    const found = presentOpenAiModels(deps.catalog()).find((m) => m.id === id)
    if (!found) throw new AppError('not_found', { message: `No model '${id}'. GET /v1/models lists the model ids and aliases this router accepts.`, param: 'id' })
    return found
  }
  return new Elysia({ tags: ['Catalog'] })
    .use(customerAuth(deps))
    .get('/v1/models', () => ({ object: 'list' as const, data: presentOpenAiModels(deps.catalog()) }), {
      response: OpenAiModelList,
      detail: { summary: 'List models (OpenAI-compatible)', description: 'Catalog slugs and their aliases in the OpenAI model list shape; `created` is the catalog pricing date.' },
    })
    .get('/v1/models/:id', ({ params }) => retrieve(params.id), {
      params: t.Object({ id: t.String({ description: 'A model slug or alias.', examples: ['gpt-4o-mini'] }) }),
      response: OpenAiModelObject,
      detail: { summary: 'Retrieve a model (OpenAI-compatible)' },
    })
    // Some ids contain a slash (`meta-llama/Llama-3.1-8B-Instruct`); clients that do not escape it land here.
    .get('/v1/models/*', ({ params }) => retrieve(params['*']), { response: OpenAiModelObject, detail: { hide: true } })
}

/** All catalog routes, public ones first so the customer-key derive cannot reach them. */
export function catalogRoutes(deps: Deps) {
  return new Elysia().use(publicCatalogRoutes(deps)).use(openAiModelRoutes(deps))
}
