/**
 * The `openai-compatible` request adapter: one synchronous HTTP call per item against an
 * OpenAI-compatible server (OpenAI, vLLM, Ollama, llama.cpp, the simulator). It never throws:
 * every failure becomes an ItemOutcome with a normalised ProviderError.
 */
import { errorForException, errorForStatus, parseRetryAfter, providerError, safeErrorCode } from '../http-errors'
import type { ItemOutcome, ProviderEndpoint, ProviderError, ProviderRequest, ProviderUsage, RequestAdapter } from '../types'
import { chatUsage, embeddingUsage, endpointFor, upstreamBody, upstreamUrl, type SyncEndpoint } from './map'
import { checkChatCompletion, checkEmbeddingList, errorCodeOf } from './wire'

/** Header carrying our item id to the provider (the simulator counts requests per value). */
export const ITEM_ID_HEADER = 'x-batchrouter-item-id'
/** Per-request timeout when the factory is given none. */
export const DEFAULT_TIMEOUT_MS = 120_000

/** The subset of `fetch` the adapter uses (injectable for tests and instrumentation). */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>

export interface OpenAiCompatibleOptions {
  /** Per-request timeout covering connect, headers and body (default 120 s). */
  timeoutMs?: number
  fetch?: FetchLike
  /** Clock for HTTP-date `retry-after` values (ms since the epoch). */
  now?: () => number
}

/** Builds the adapter; options apply to every call. */
export function createOpenAiCompatibleAdapter(opts: OpenAiCompatibleOptions = {}): RequestAdapter {
  const settings = { timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, fetch: opts.fetch ?? ((url: string, init: RequestInit) => fetch(url, init)), now: opts.now ?? Date.now }
  return {
    kind: 'openai-compatible',
    call: (endpoint, request, signal) => callUpstream(settings, endpoint, request, signal),
  }
}

type Settings = { timeoutMs: number; fetch: FetchLike; now: () => number }

async function callUpstream(s: Settings, endpoint: ProviderEndpoint, request: ProviderRequest, signal?: AbortSignal): Promise<ItemOutcome> {
  const fail = (error: ProviderError): ItemOutcome => ({ ok: false, itemId: request.itemId, error })
  const target = endpointFor(request)
  if (!target) return fail(providerError('invalid_request', `The openai-compatible adapter cannot execute ${request.url}.`))
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', [ITEM_ID_HEADER]: request.itemId }
  if (endpoint.apiKey) headers.authorization = `Bearer ${endpoint.apiKey}`
  const timeout = AbortSignal.timeout(s.timeoutMs)
  let response: Response
  let text: string
  try {
    response = await s.fetch(upstreamUrl(endpoint.baseUrl, target), {
      method: 'POST',
      headers,
      body: JSON.stringify(upstreamBody(request)),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      // Never follow a redirect: it would carry the bearer token somewhere we were not told about.
      redirect: 'manual',
    })
    text = await response.text()
  } catch (error) {
    return fail(errorForException(error, { timedOut: timeout.aborted, aborted: signal?.aborted ?? false, timeoutMs: s.timeoutMs }))
  }
  const body = parseJson(text)
  if (response.status < 200 || response.status > 299) {
    return fail(errorForStatus(response.status, { retryAfterMs: parseRetryAfter(response.headers, s.now()), code: safeErrorCode(errorCodeOf(body)) }))
  }
  const checked = checkBody(target, body)
  if (!checked) {
    const expected = target === 'chat' ? 'a chat.completion' : 'an embeddings list'
    return fail(providerError('malformed_response', `The provider answered HTTP ${response.status} with a body that is not ${expected}.`, { status: response.status }))
  }
  const requestId = response.headers.get('x-request-id') ?? (typeof (body as { id?: unknown }).id === 'string' ? (body as { id: string }).id : undefined)
  return { ok: true, itemId: request.itemId, output: body as Record<string, unknown>, usage: checked, ...(requestId ? { requestId } : {}) }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** Usage when `body` fits the endpoint's wire schema, else undefined. */
function checkBody(target: SyncEndpoint, body: unknown): ProviderUsage | undefined {
  if (target === 'chat') return checkChatCompletion.Check(body) ? chatUsage(body) : undefined
  return checkEmbeddingList.Check(body) ? embeddingUsage(body) : undefined
}
