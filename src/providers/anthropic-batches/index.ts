/** The anthropic-batches wire protocol: Anthropic Message Batches adapter and its pure mapping. */
export { createAnthropicBatchesAdapter, ANTHROPIC_BATCH_LIMITS, ANTHROPIC_VERSION, type AnthropicBatchesOptions } from './adapter'
export { CUSTOM_ID_PATTERN, safeCustomId, requestEntry, outcomeOfResult, remoteState } from './map'
