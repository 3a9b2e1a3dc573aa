/**
 * Catalog schemas: models, providers and offerings (provider × model with batch prices). The
 * embedded default catalog and any operator config file are validated against these.
 */
import { Type as T, type Static } from '@sinclair/typebox'

/** Operations an item can ask for (contract §3). */
export const OPERATIONS = ['responses', 'embeddings', 'vision'] as const
export type Operation = (typeof OPERATIONS)[number]

/** Wire protocols an adapter can speak (design §5). */
export const PROVIDER_KINDS = ['openai-batch', 'anthropic-batches', 'openai-compatible', 'edge'] as const
export type ProviderKind = (typeof PROVIDER_KINDS)[number]

/** How input tokens are counted for a model: exact BPE encodings or the labelled estimate. */
export const TOKENIZERS = ['o200k_base', 'cl100k_base', 'estimate'] as const

const Usd = T.String({ pattern: '^\\d{1,6}(\\.\\d{1,6})?$', description: 'USD per 1M tokens', examples: ['0.075000'] })

export const CatalogModel = T.Object({
  slug: T.String({ minLength: 1 }),
  display_name: T.String(),
  provider: T.String({ description: 'Who makes the model.' }),
  aliases: T.Array(T.String(), { default: [] }),
  operations: T.Array(T.Union(OPERATIONS.map((o) => T.Literal(o)))),
  context_window: T.Integer({ minimum: 1 }),
  max_output_tokens: T.Integer({ minimum: 0 }),
  default_output_tokens: T.Integer({ minimum: 0, description: 'Assumed output when max_tokens is absent.' }),
  embedding_dimensions: T.Optional(T.Integer({ minimum: 1 })),
  tokenizer: T.Union(TOKENIZERS.map((t) => T.Literal(t)), { default: 'estimate' }),
})
export type CatalogModel = Static<typeof CatalogModel>

export const CatalogProvider = T.Object({
  id: T.String({ minLength: 1 }),
  display_name: T.String(),
  kind: T.Union(PROVIDER_KINDS.map((k) => T.Literal(k))),
  base_url: T.Optional(T.String({ description: 'Where the adapter talks; absent = not configured.' })),
  api_key_env: T.Optional(T.String({ description: 'Env var holding the credential.' })),
  api_key: T.Optional(T.String({ minLength: 1, description: 'The credential itself, from the config file (the env var wins when both are set).' })),
})
export type CatalogProvider = Static<typeof CatalogProvider>

export const CatalogOffering = T.Object({
  offering_id: T.String({ minLength: 1 }),
  model: T.String(),
  provider: T.String(),
  upstream_model: T.Optional(T.String({ description: 'Model name sent upstream when it differs from the slug.' })),
  lane_kind: T.Union([T.Literal('public'), T.Literal('edge')]),
  input_per_1m: Usd,
  output_per_1m: Usd,
  cached_input_per_1m: T.Optional(Usd),
  max_batch_items: T.Integer({ minimum: 1, description: 'Most items one lane (one provider batch) may hold.' }),
  concurrent_items: T.Optional(T.Integer({ minimum: 1, description: 'Most items the offering holds across all running batches at once; default max_batch_items.' })),
  concurrency: T.Integer({ minimum: 1, default: 16, description: 'Requests in flight at once (request-style providers).' }),
  regions: T.Array(T.String()),
  retention: T.Object({ zdr: T.Boolean(), days: T.Integer({ minimum: 0 }) }),
  privacy_tiers: T.Array(T.Union([T.Literal('standard'), T.Literal('confidential'), T.Literal('restricted')])),
  hosted_tools: T.Array(T.String(), { default: [] }),
  supports_tools: T.Boolean({ default: true, description: 'Accepts function tools in chat requests.' }),
  turnaround_seconds: T.Integer({ minimum: 1, description: 'Expected time to finish a lane.' }),
})
export type CatalogOffering = Static<typeof CatalogOffering>

/** What a config file may add or override; entries replace defaults with the same key. */
export const CatalogOverrides = T.Object({
  models: T.Optional(T.Array(CatalogModel)),
  providers: T.Optional(T.Array(T.Partial(CatalogProvider))),
  offerings: T.Optional(T.Array(CatalogOffering)),
  remove_offerings: T.Optional(T.Array(T.String())),
  pricing_updated_at: T.Optional(T.String()),
})
export type CatalogOverrides = Static<typeof CatalogOverrides>

export interface Catalog {
  models: CatalogModel[]
  providers: CatalogProvider[]
  offerings: CatalogOffering[]
  pricingUpdatedAt: string
}

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
    { description: 'Factor applied to the provider subtotal per SLA tier.', examples: [{ standard: 1, flex: 0.9, priority: 1.5 }] },
  ),
  updated_at: T.String({ description: 'ISO-8601.' }),
})
export type FeesResponse = Static<typeof FeesResponse>
