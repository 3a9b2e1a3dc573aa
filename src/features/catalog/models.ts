/**
 * Catalog wire shapes (contract §6, §8). The catalog's own schemas (models, providers, offerings,
 * overrides) live in src/catalog-schema.ts and are re-exported here for the feature's modules.
 */
import { Type as T, type Static } from '@sinclair/typebox'

export * from '../../catalog-schema'

// ---- Wire shapes (contract §6, §8). Types are derived from these; present.ts builds them. ----

const Money6 = (description: string, example: string) => T.String({ pattern: '^\\d+\\.\\d{6}$', description, examples: [example] })
const FilterValue = (description: string, example: string) => T.Optional(T.String({ minLength: 1, description, examples: [example] }))

/** `GET /v1/catalog/models` filters. An unknown value matches nothing (empty list); an empty or repeated one is a 400. */
export const CatalogModelsQuery = T.Object({
  operation: FilterValue('Only models that support this operation (`responses`, `embeddings`, `vision`).', 'embeddings'),
  provider: FilterValue('Only offerings served by this provider id; models without one are left out.', 'anthropic'),
  hosted_tool: FilterValue('Only offerings that run this hosted tool; models without one are left out.', 'web_search'),
})
export type CatalogModelsQuery = Static<typeof CatalogModelsQuery>

export const OfferingObject = T.Object({
  offering_id: T.String({ examples: ['openai-batch-gpt-4o-mini'] }),
  provider: T.String({ description: 'Provider id that runs this offering.', examples: ['openai'] }),
  lane_kind: T.Union([T.Literal('public'), T.Literal('edge')], { description: '`public` provider API or private `edge` node.' }),
  pricing: T.Object({
    currency: T.Literal('usd'),
    input_per_1m: Money6('USD per 1M input tokens, batch price.', '0.075000'),
    output_per_1m: Money6('USD per 1M output tokens, batch price.', '0.300000'),
    cached_input_per_1m: T.Union([Money6('USD per 1M cached input tokens.', '0.037500'), T.Null()], { description: 'Null when the provider has no cached-input price (cached tokens cost the input price).' }),
  }),
  capacity: T.Object({
    max_batch_items: T.Integer({ description: 'Most items one provider batch (lane) may hold.', examples: [50000] }),
    status: T.Union([T.Literal('available'), T.Literal('unavailable')], { description: '`unavailable` while the provider is not configured.' }),
  }),
  regions: T.Array(T.String(), { examples: [['us', 'eu']] }),
  retention: T.Object({ zdr: T.Boolean({ description: 'Zero data retention.' }), days: T.Integer({ description: 'Days the provider keeps inputs and outputs.' }) }),
  privacy_tiers: T.Array(T.String(), { description: 'Privacy tiers this offering may serve.', examples: [['standard', 'confidential']] }),
  hosted_tools: T.Array(T.String()),
  turnaround_seconds: T.Integer({ description: 'Expected time for a lane to finish.', examples: [3600] }),
  available: T.Boolean({ description: 'True when the provider is configured on this router, so the router can route work to it.' }),
})
export type OfferingObject = Static<typeof OfferingObject>

export const CatalogModelObject = T.Object({
  slug: T.String({ examples: ['gpt-4o-mini'] }),
  display_name: T.String({ examples: ['GPT-4o mini'] }),
  provider: T.String({ description: 'Who makes the model (not who serves it; see provider_offerings).', examples: ['openai'] }),
  aliases: T.Array(T.String(), { description: 'Other names accepted wherever a model is named.' }),
  operations: T.Array(T.String(), { examples: [['responses', 'vision']] }),
  context_window: T.Integer({ examples: [128000] }),
  max_input_tokens: T.Integer({ description: 'context_window − max_output_tokens (room for the full output is kept); for embedding models the whole context window.', examples: [111616] }),
  max_output_tokens: T.Integer({ examples: [16384] }),
  provider_offerings: T.Array(OfferingObject),
})
export type CatalogModelObject = Static<typeof CatalogModelObject>

export const CatalogModelsResponse = T.Object({
  data: T.Array(CatalogModelObject),
  provider_count: T.Integer({ description: 'Distinct providers among the listed offerings.' }),
  pricing_updated_at: T.String({ description: 'When the prices were last checked (ISO-8601).', examples: ['2026-08-21T00:00:00.000Z'] }),
})
export type CatalogModelsResponse = Static<typeof CatalogModelsResponse>

/** An entry of the OpenAI model list; aliases are entries of their own. */
export const OpenAiModelObject = T.Object({
  id: T.String({ examples: ['gpt-4o-mini'] }),
  object: T.Literal('model'),
  created: T.Integer({ description: 'Unix seconds of the catalog pricing date.', examples: [1787270400] }),
  owned_by: T.String({ examples: ['openai'] }),
})
export type OpenAiModelObject = Static<typeof OpenAiModelObject>

export const OpenAiModelList = T.Object({ object: T.Literal('list'), data: T.Array(OpenAiModelObject) })
export type OpenAiModelList = Static<typeof OpenAiModelList>

export const FeesResponse = T.Object({
  currency: T.Literal('usd'),
  batch_fee_bps: T.Integer({ description: 'Router fee in basis points of the provider subtotal.', examples: [590] }),
  minimum_charge: Money6('Smallest charge for a batch.', '0.000000'),
  discounts: T.Array(T.Object({ provider: T.String(), bps: T.Integer({ description: 'Discount in basis points of that provider’s subtotal.' }), reason: T.String() })),
  sla_multipliers: T.Object(
    { standard: T.Number(), flex: T.Number(), priority: T.Number() },
    { description: 'Price factor per SLA tier, applied to the customer total of every lane and item (provider subtotal + fee − discount) and shown as `sla_adjustment` in price breakdowns; a quote or batch keeps the factor it was priced at.', examples: [{ standard: 1, flex: 0.95, priority: 1.5 }] },
  ),
  updated_at: T.String({ description: 'ISO-8601.' }),
})
export type FeesResponse = Static<typeof FeesResponse>
