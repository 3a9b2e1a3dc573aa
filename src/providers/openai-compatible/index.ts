/** The openai-compatible wire protocol: the request adapter plus its retry and concurrency helpers. */
export { createOpenAiCompatibleAdapter, DEFAULT_TIMEOUT_MS, ITEM_ID_HEADER, type FetchLike, type OpenAiCompatibleOptions } from './adapter'
export { withRetries, type RetryOptions, type RetryableOutcome } from './retries'
export { createLimiter, type Limiter } from './limiter'
export { upstreamBody, endpointFor, chatUsage, embeddingUsage } from './map'
export { checkChatCompletion, checkEmbeddingList } from './wire'
