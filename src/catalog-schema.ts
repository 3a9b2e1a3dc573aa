/**
 * The catalog's shape: models, providers and offerings (provider × model with batch prices). The
 * embedded default catalog and the operator's config file (`catalog` section, validated by
 * config.ts) are checked against these. It sits beside config.ts and deps.ts because every
 * layer reads it: the catalog feature builds and serves it, routing and dispatch look things up.
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
