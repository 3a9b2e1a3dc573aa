/**
 * Pure translation between our ProviderRequest and the OpenAI-compatible sync wire: which
 * upstream path, which body, and how usage is normalised.
 */
import type { ProviderRequest, ProviderUsage } from '../types'
import type { ChatCompletionResponse, EmbeddingResponse } from './wire'

/** The upstream endpoints this adapter speaks. */
export type SyncEndpoint = 'chat' | 'embeddings'

/**
 * The upstream endpoint for a request: `/v1/chat/completions` and `/v1/responses` (executed as
 * chat completions; the body is already chat-shaped) → chat, `/v1/embeddings` → embeddings.
 * Undefined for any other url.
 */
export function endpointFor(request: ProviderRequest): SyncEndpoint | undefined {
  const url = request.url.replace(/\/+$/, '')
  if (url === '/v1/chat/completions' || url === '/v1/responses') return 'chat'
  if (url === '/v1/embeddings') return 'embeddings'
  return undefined
}

/** Full upstream URL: `baseUrl` already ends in `/v1` (e.g. `http://host:11434/v1`). */
export function upstreamUrl(baseUrl: string, endpoint: SyncEndpoint): string {
  return `${baseUrl.replace(/\/+$/, '')}${endpoint === 'chat' ? '/chat/completions' : '/embeddings'}`
}

/**
 * The JSON body sent upstream: the item's body with our `model`, never streamed (we need the
 * whole answer and its usage). Vision: `image_url` parts pass through untouched — `input_image`
 * blocks with a `file_id` must already have been resolved to `image_url` data URLs by the caller.
 */
export function upstreamBody(request: ProviderRequest): Record<string, unknown> {
  const { stream: _stream, stream_options: _streamOptions, ...rest } = request.body
  return { ...rest, model: request.model }
}

/** Normalised usage of a chat completion. */
export function chatUsage(body: ChatCompletionResponse): ProviderUsage {
  return {
    inputTokens: body.usage.prompt_tokens,
    outputTokens: body.usage.completion_tokens ?? 0,
    cachedTokens: body.usage.prompt_tokens_details?.cached_tokens ?? 0,
  }
}

/** Normalised usage of an embeddings list (no output tokens). */
export function embeddingUsage(body: EmbeddingResponse): ProviderUsage {
  return { inputTokens: body.usage.prompt_tokens, outputTokens: 0, cachedTokens: 0 }
}
