/**
 * The embedded default catalog. Prices are the providers' published **batch** prices in USD per
 * 1M tokens (shared/research/provider-apis.md §E, read 2026-08-21). OpenAI and Anthropic ship
 * with their public base URLs and go live once their credential env var (or config `api_key`) is
 * set; the open-weight host needs a base URL too. An offering is live only once its provider is.
 */
import type { Catalog } from './models'

const OPENAI_REGIONS = ['us', 'eu']
const OPENAI_RETENTION = { zdr: false, days: 30 }
const ANTHROPIC_RETENTION = { zdr: true, days: 0 }

export const DEFAULT_CATALOG: Catalog = {
  pricingUpdatedAt: '2026-08-21T00:00:00.000Z',
  providers: [
    { id: 'openai', display_name: 'OpenAI', kind: 'openai-batch', base_url: 'https://api.openai.com/v1', api_key_env: 'OPENAI_API_KEY' },
    { id: 'anthropic', display_name: 'Anthropic', kind: 'anthropic-batches', base_url: 'https://api.anthropic.com', api_key_env: 'ANTHROPIC_API_KEY' },
    { id: 'openhost', display_name: 'Open-weight host (OpenAI-compatible)', kind: 'openai-compatible', api_key_env: 'OPENHOST_API_KEY' },
    { id: 'edge', display_name: 'Private edge nodes', kind: 'edge' },
  ],
  models: [
    { slug: 'gpt-4o-mini', display_name: 'GPT-4o mini', provider: 'openai', aliases: ['gpt-4o-mini-2024-07-18'], operations: ['responses', 'vision'], context_window: 128_000, max_output_tokens: 16_384, default_output_tokens: 1024, tokenizer: 'o200k_base' },
    { slug: 'gpt-4o', display_name: 'GPT-4o', provider: 'openai', aliases: ['gpt-4o-2024-08-06'], operations: ['responses', 'vision'], context_window: 128_000, max_output_tokens: 16_384, default_output_tokens: 1024, tokenizer: 'o200k_base' },
    { slug: 'gpt-4.1-mini', display_name: 'GPT-4.1 mini', provider: 'openai', aliases: ['gpt-4.1-mini-2025-04-14'], operations: ['responses', 'vision'], context_window: 1_047_576, max_output_tokens: 32_768, default_output_tokens: 1024, tokenizer: 'o200k_base' },
    { slug: 'text-embedding-3-small', display_name: 'text-embedding-3-small', provider: 'openai', aliases: [], operations: ['embeddings'], context_window: 8191, max_output_tokens: 0, default_output_tokens: 0, embedding_dimensions: 1536, tokenizer: 'cl100k_base' },
    { slug: 'text-embedding-3-large', display_name: 'text-embedding-3-large', provider: 'openai', aliases: [], operations: ['embeddings'], context_window: 8191, max_output_tokens: 0, default_output_tokens: 0, embedding_dimensions: 3072, tokenizer: 'cl100k_base' },
    { slug: 'claude-haiku-4-5', display_name: 'Claude Haiku 4.5', provider: 'anthropic', aliases: ['claude-haiku-4-5-20251001'], operations: ['responses', 'vision'], context_window: 200_000, max_output_tokens: 64_000, default_output_tokens: 1024, tokenizer: 'estimate' },
    { slug: 'claude-sonnet-4-5', display_name: 'Claude Sonnet 4.5', provider: 'anthropic', aliases: ['claude-sonnet-4-5-20250929'], operations: ['responses', 'vision'], context_window: 200_000, max_output_tokens: 64_000, default_output_tokens: 1024, tokenizer: 'estimate' },
    { slug: 'claude-3-5-haiku', display_name: 'Claude Haiku 3.5', provider: 'anthropic', aliases: ['claude-3-5-haiku-20241022', 'claude-3-5-haiku-latest'], operations: ['responses', 'vision'], context_window: 200_000, max_output_tokens: 8192, default_output_tokens: 1024, tokenizer: 'estimate' },
    { slug: 'llama-3.1-8b-instruct', display_name: 'Llama 3.1 8B Instruct (open weights)', provider: 'meta', aliases: ['meta-llama/Llama-3.1-8B-Instruct'], operations: ['responses'], context_window: 131_072, max_output_tokens: 8192, default_output_tokens: 512, tokenizer: 'estimate' },
    { slug: 'nomic-embed-text', display_name: 'nomic-embed-text v1.5 (open weights)', provider: 'nomic', aliases: ['nomic-embed-text-v1.5'], operations: ['embeddings'], context_window: 8192, max_output_tokens: 0, default_output_tokens: 0, embedding_dimensions: 768, tokenizer: 'estimate' },
  ],
  offerings: [
    { offering_id: 'openai-batch-gpt-4o-mini', model: 'gpt-4o-mini', provider: 'openai', lane_kind: 'public', input_per_1m: '0.075', output_per_1m: '0.30', cached_input_per_1m: '0.0375', max_batch_items: 50_000, concurrency: 32, regions: OPENAI_REGIONS, retention: OPENAI_RETENTION, privacy_tiers: ['standard'], hosted_tools: [], supports_tools: true, turnaround_seconds: 6 * 3600 },
    { offering_id: 'openai-batch-gpt-4o', model: 'gpt-4o', provider: 'openai', lane_kind: 'public', input_per_1m: '1.25', output_per_1m: '5.00', cached_input_per_1m: '0.625', max_batch_items: 50_000, concurrency: 32, regions: OPENAI_REGIONS, retention: OPENAI_RETENTION, privacy_tiers: ['standard'], hosted_tools: [], supports_tools: true, turnaround_seconds: 6 * 3600 },
    { offering_id: 'openai-batch-gpt-4.1-mini', model: 'gpt-4.1-mini', provider: 'openai', lane_kind: 'public', input_per_1m: '0.20', output_per_1m: '0.80', max_batch_items: 50_000, concurrency: 32, regions: OPENAI_REGIONS, retention: OPENAI_RETENTION, privacy_tiers: ['standard'], hosted_tools: [], supports_tools: true, turnaround_seconds: 6 * 3600 },
    { offering_id: 'openai-batch-text-embedding-3-small', model: 'text-embedding-3-small', provider: 'openai', lane_kind: 'public', input_per_1m: '0.01', output_per_1m: '0', max_batch_items: 50_000, concurrency: 32, regions: OPENAI_REGIONS, retention: OPENAI_RETENTION, privacy_tiers: ['standard'], hosted_tools: [], supports_tools: false, turnaround_seconds: 2 * 3600 },
    { offering_id: 'openai-batch-text-embedding-3-large', model: 'text-embedding-3-large', provider: 'openai', lane_kind: 'public', input_per_1m: '0.065', output_per_1m: '0', max_batch_items: 50_000, concurrency: 32, regions: OPENAI_REGIONS, retention: OPENAI_RETENTION, privacy_tiers: ['standard'], hosted_tools: [], supports_tools: false, turnaround_seconds: 2 * 3600 },
    { offering_id: 'anthropic-batch-claude-haiku-4-5', model: 'claude-haiku-4-5', provider: 'anthropic', upstream_model: 'claude-haiku-4-5-20251001', lane_kind: 'public', input_per_1m: '0.50', output_per_1m: '2.50', max_batch_items: 100_000, concurrency: 32, regions: ['us'], retention: ANTHROPIC_RETENTION, privacy_tiers: ['standard', 'confidential'], hosted_tools: [], supports_tools: true, turnaround_seconds: 3600 },
    { offering_id: 'anthropic-batch-claude-sonnet-4-5', model: 'claude-sonnet-4-5', provider: 'anthropic', upstream_model: 'claude-sonnet-4-5-20250929', lane_kind: 'public', input_per_1m: '1.50', output_per_1m: '7.50', max_batch_items: 100_000, concurrency: 32, regions: ['us'], retention: ANTHROPIC_RETENTION, privacy_tiers: ['standard', 'confidential'], hosted_tools: [], supports_tools: true, turnaround_seconds: 3600 },
    { offering_id: 'anthropic-batch-claude-3-5-haiku', model: 'claude-3-5-haiku', provider: 'anthropic', upstream_model: 'claude-3-5-haiku-20241022', lane_kind: 'public', input_per_1m: '0.40', output_per_1m: '2.00', max_batch_items: 100_000, concurrency: 32, regions: ['us'], retention: ANTHROPIC_RETENTION, privacy_tiers: ['standard', 'confidential'], hosted_tools: [], supports_tools: true, turnaround_seconds: 3600 },
    { offering_id: 'openhost-llama-3.1-8b-instruct', model: 'llama-3.1-8b-instruct', provider: 'openhost', upstream_model: 'meta-llama/Llama-3.1-8B-Instruct', lane_kind: 'public', input_per_1m: '0.09', output_per_1m: '0.09', max_batch_items: 20_000, concurrency: 32, regions: ['us', 'eu'], retention: { zdr: true, days: 0 }, privacy_tiers: ['standard', 'confidential'], hosted_tools: [], supports_tools: true, turnaround_seconds: 1800 },
    { offering_id: 'edge-llama-3.1-8b-instruct', model: 'llama-3.1-8b-instruct', provider: 'edge', lane_kind: 'edge', input_per_1m: '0.02', output_per_1m: '0.02', max_batch_items: 5000, concurrency: 8, regions: ['local'], retention: { zdr: true, days: 0 }, privacy_tiers: ['standard', 'confidential', 'restricted'], hosted_tools: [], supports_tools: false, turnaround_seconds: 3600 },
    { offering_id: 'openhost-nomic-embed-text', model: 'nomic-embed-text', provider: 'openhost', lane_kind: 'public', input_per_1m: '0.008', output_per_1m: '0', max_batch_items: 50_000, concurrency: 32, regions: ['us', 'eu'], retention: { zdr: true, days: 0 }, privacy_tiers: ['standard', 'confidential'], hosted_tools: [], supports_tools: false, turnaround_seconds: 1800 },
    { offering_id: 'edge-nomic-embed-text', model: 'nomic-embed-text', provider: 'edge', lane_kind: 'edge', input_per_1m: '0.004', output_per_1m: '0', max_batch_items: 20_000, concurrency: 8, regions: ['local'], retention: { zdr: true, days: 0 }, privacy_tiers: ['standard', 'confidential', 'restricted'], hosted_tools: [], supports_tools: false, turnaround_seconds: 1800 },
  ],
}
