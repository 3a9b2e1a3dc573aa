/**
 * The `anthropic-batches` adapter: Anthropic Message Batches (research §B). Requests go inline
 * (`POST /v1/messages/batches`), translated from the items' chat bodies; results stream from
 * `results_url` once processing has ended. Headers: `x-api-key`, `anthropic-version`.
 *
 * Reconciling after a crash: Message Batches carry no metadata, so `find` adopts the one batch
 * created in the submission window with exactly our request count (none when ambiguous).
 */
import { jsonlLines } from '../../lib/jsonl'
import { httpSettings, joinUrl, parseJson, requestJson, sendRequest, type FetchLike, type HttpSettings } from '../batch-http'
import { providerError } from '../http-errors'
import { ProviderCallError, type BatchAdapter, type BatchEntry, type ItemOutcome, type ProviderEndpoint, type ProviderJobRef } from '../types'
import { outcomeOfResult, remoteState, requestEntry, safeCustomId } from './map'
import { checkMessageBatch, checkMessageBatchList, checkResultLine, errorTypeOf, type MessageBatch } from './wire'

/** Per provider batch (research §B.5). */
export const ANTHROPIC_BATCH_LIMITS = { maxRequests: 100_000, maxBytes: 256 * 1024 * 1024 }
/** The API version every request names. */
export const ANTHROPIC_VERSION = '2023-06-01'
/** How far around our submission time `find` looks for the batch a crash left behind. */
const FIND_WINDOW_MS = 15 * 60_000

export interface AnthropicBatchesOptions {
  fetch?: FetchLike
  timeoutMs?: number
  now?: () => number
  /** Lower limits for tests; never above Anthropic's. */
  limits?: Partial<typeof ANTHROPIC_BATCH_LIMITS>
  /** `max_tokens` for items that name none. */
  defaultMaxTokens?: number
}

/** Builds the adapter; no I/O until a call. */
export function createAnthropicBatchesAdapter(opts: AnthropicBatchesOptions = {}): BatchAdapter {
  const s = httpSettings(opts)
  const encodeEntry = (entry: BatchEntry) => requestEntry(entry, opts.defaultMaxTokens)
  return {
    kind: 'anthropic-batches',
    limits: { ...ANTHROPIC_BATCH_LIMITS, ...opts.limits },
    customIdFor: safeCustomId,
    encode(entry) {
      const encoded = encodeEntry(entry)
      return encoded.ok ? { ok: true, bytes: Buffer.byteLength(JSON.stringify(encoded.value)) } : encoded
    },
    async submit(endpoint, submission, signal) {
      const requests = submission.entries.map((entry) => {
        const encoded = encodeEntry(entry)
        if (!encoded.ok) throw new ProviderCallError(encoded.error)
        return encoded.value
      })
      const batch = await call(s, endpoint, '/v1/messages/batches', { method: 'POST', body: JSON.stringify({ requests }) }, signal)
      return { remoteId: batch.id }
    },
    find: (endpoint, probe, signal) => find(s, endpoint, probe, signal),
    async poll(endpoint, remoteId, signal) {
      const batch = await call(s, endpoint, `/v1/messages/batches/${encodeURIComponent(remoteId)}`, { method: 'GET' }, signal)
      const c = batch.request_counts
      const state = remoteState(batch)
      return { state, counts: { total: c.processing + c.succeeded + c.errored + c.canceled + c.expired, completed: c.succeeded, failed: c.errored }, resultsReady: batch.processing_status === 'ended' && Boolean(batch.results_url) }
    },
    results: (endpoint, ref, signal) => results(s, endpoint, ref, signal),
    async cancel(endpoint, remoteId, signal) {
      await call(s, endpoint, `/v1/messages/batches/${encodeURIComponent(remoteId)}/cancel`, { method: 'POST' }, signal)
    },
  }
}

function headers(endpoint: ProviderEndpoint, extra: Record<string, string> = {}): Record<string, string> {
  return { 'anthropic-version': ANTHROPIC_VERSION, 'content-type': 'application/json', accept: 'application/json', ...(endpoint.apiKey ? { 'x-api-key': endpoint.apiKey } : {}), ...extra }
}

function call(s: HttpSettings, endpoint: ProviderEndpoint, path: string, init: RequestInit, signal?: AbortSignal): Promise<MessageBatch> {
  return requestJson(s, joinUrl(endpoint.baseUrl, path), { ...init, headers: headers(endpoint) }, { errorCode: errorTypeOf, check: (v): v is MessageBatch => checkMessageBatch.Check(v), what: 'a MessageBatch object' }, signal)
}

async function find(s: HttpSettings, endpoint: ProviderEndpoint, probe: { submittedAt: number; requestCount: number }, signal?: AbortSignal): Promise<string | null> {
  const list = await requestJson(s, joinUrl(endpoint.baseUrl, '/v1/messages/batches?limit=100'), { method: 'GET', headers: headers(endpoint) }, { errorCode: errorTypeOf, check: (v): v is { data: MessageBatch[] } => checkMessageBatchList.Check(v), what: 'a MessageBatch list' }, signal)
  const hits = list.data.filter((b) => {
    const created = Date.parse(b.created_at)
    const c = b.request_counts
    const total = c.processing + c.succeeded + c.errored + c.canceled + c.expired
    return Math.abs(created - probe.submittedAt) <= FIND_WINDOW_MS && total === probe.requestCount
  })
  return hits.length === 1 ? hits[0]!.id : null
}

async function* results(s: HttpSettings, endpoint: ProviderEndpoint, ref: ProviderJobRef, signal?: AbortSignal): AsyncGenerator<ItemOutcome> {
  const batch = await call(s, endpoint, `/v1/messages/batches/${encodeURIComponent(ref.remoteId)}`, { method: 'GET' }, signal)
  if (!batch.results_url) return
  const url = new URL(batch.results_url, joinUrl(endpoint.baseUrl, '/'))
  // The credential goes only where the base URL points; a results_url elsewhere is not followed.
  if (url.origin !== new URL(endpoint.baseUrl).origin) throw new ProviderCallError(providerError('malformed_response', 'The provider named a results_url on another host; it was not fetched.', { retryable: false }))
  const response = await sendRequest(s, url.href, { method: 'GET', headers: headers(endpoint, { accept: 'application/binary' }) }, errorTypeOf, signal)
  if (!response.body) return
  for await (const line of jsonlLines(response.body)) {
    if (line.text === null || line.text.trim() === '') continue
    const parsed = parseJson(line.text)
    if (!checkResultLine.Check(parsed)) continue
    const itemId = ref.items.get(parsed.custom_id)
    if (itemId !== undefined) yield outcomeOfResult(parsed, itemId, s.now())
  }
}
