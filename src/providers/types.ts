/**
 * The adapter contract (design §5). Adapters know wire protocols, never features: they receive
 * plain requests and return normalized outcomes; the job layer decides retries from
 * `ProviderError.kind/retryable/retryAfterMs`, never from text.
 */

/** Normalized failure classes every adapter maps its errors into. */
export const PROVIDER_ERROR_KINDS = [
  'rate_limited', // 429: retry after retryAfterMs
  'server_error', // 5xx: retry with backoff
  'timeout', // no answer within the per-request timeout: retry
  'network', // connection refused/reset: retry
  'malformed_response', // upstream answered something that fails its wire schema: retry
  'invalid_request', // 4xx other than 429: the item itself is bad; do not retry
  'auth', // 401/403: provider credential problem; do not retry the item on this provider
] as const
export type ProviderErrorKind = (typeof PROVIDER_ERROR_KINDS)[number]

export interface ProviderError {
  kind: ProviderErrorKind
  retryable: boolean
  retryAfterMs?: number
  /** Short, safe summary (never upstream text verbatim) for the item's error message. */
  message: string
  status?: number
}

/** Where and how to reach one provider (from the catalog's provider entry). */
export interface ProviderEndpoint {
  providerId: string
  baseUrl: string
  apiKey?: string
}

/** One item, ready for the wire: the OpenAI-shaped request body for `url`. */
export interface ProviderRequest {
  /** Our item id; adapters may use it as a custom id. */
  itemId: string
  operation: 'responses' | 'embeddings' | 'vision'
  /** `/v1/chat/completions`, `/v1/embeddings` or `/v1/responses` (responses is executed as chat). */
  url: string
  /** Model name to send upstream. */
  model: string
  /** OpenAI chat-completions or embeddings request body (without `model`; the adapter sets it). */
  body: Record<string, unknown>
}

export interface ProviderUsage {
  inputTokens: number
  outputTokens: number
  cachedTokens: number
}

/** What happened to one item. `output` is an OpenAI chat.completion or embedding list object. */
export type ItemOutcome =
  | { ok: true; itemId: string; output: Record<string, unknown>; usage: ProviderUsage; requestId?: string }
  | { ok: false; itemId: string; error: ProviderError }

/** Request-style adapter (OpenAI-compatible hosts, edge): one call per item. */
export interface RequestAdapter {
  kind: 'openai-compatible' | 'edge'
  call(endpoint: ProviderEndpoint, request: ProviderRequest, signal?: AbortSignal): Promise<ItemOutcome>
}
