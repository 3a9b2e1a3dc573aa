/**
 * The `openai-batch` adapter: OpenAI Files + Batch API (research §A). A submission uploads one
 * JSONL file (`purpose=batch`, multipart) and creates one batch tagged with our job id in
 * `metadata`, so a crash between the two calls and our write is reconciled by listing batches.
 * Results stream the output and error files line by line, joined to items on `custom_id`.
 */
import { jsonlLines } from '../../lib/jsonl'
import { httpSettings, joinUrl, parseJson, requestJson, sendRequest, type FetchLike, type HttpSettings } from '../batch-http'
import { providerError, safeErrorCode } from '../http-errors'
import { errorCodeOf } from '../openai-compatible/wire'
import { ProviderCallError, type BatchAdapter, type BatchEntry, type ItemOutcome, type ProviderEndpoint, type ProviderJobRef, type ProviderJobStatus } from '../types'
import { inputLine, outcomeOfLine, remoteState } from './map'
import { checkBatch, checkBatchList, checkFileObject, checkOutputLine, type Batch } from './wire'

/** Per provider batch (research §A.6). */
export const OPENAI_BATCH_LIMITS = { maxRequests: 50_000, maxBytes: 200 * 1024 * 1024 }
/** Metadata key carrying our `pjob_…` id on every batch we create. */
export const JOB_METADATA_KEY = 'batchrouter_job_id'
/** Pages of `GET /batches` searched when reconciling a submission (100 batches each). */
const FIND_PAGES = 5

export interface OpenAiBatchOptions {
  fetch?: FetchLike
  timeoutMs?: number
  now?: () => number
  /** Lower limits for tests; never above OpenAI's. */
  limits?: Partial<typeof OPENAI_BATCH_LIMITS>
}

/** Builds the adapter; no I/O until a call. */
export function createOpenAiBatchAdapter(opts: OpenAiBatchOptions = {}): BatchAdapter {
  const s = httpSettings(opts)
  return {
    kind: 'openai-batch',
    limits: { ...OPENAI_BATCH_LIMITS, ...opts.limits },
    customIdFor: (itemId) => itemId,
    encode: (entry) => ({ ok: true, bytes: Buffer.byteLength(inputLine(entry)) }),
    submit: (endpoint, submission, signal) => submit(s, endpoint, submission.jobId, submission.entries, signal),
    find: (endpoint, probe, signal) => find(s, endpoint, probe.jobId, signal),
    poll: async (endpoint, remoteId, signal) => statusOf(await getBatch(s, endpoint, remoteId, signal)),
    results: (endpoint, ref, signal) => results(s, endpoint, ref, signal),
    cancel: async (endpoint, remoteId, signal) => {
      await requestJson(s, joinUrl(endpoint.baseUrl, `/batches/${encodeURIComponent(remoteId)}/cancel`), { method: 'POST', headers: headers(endpoint) }, jsonCheck(checkBatch, 'a Batch object'), signal)
    },
  }
}

function headers(endpoint: ProviderEndpoint, extra: Record<string, string> = {}): Record<string, string> {
  return { accept: 'application/json', ...(endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {}), ...extra }
}

function jsonCheck<T>(check: { Check(v: unknown): v is T }, what: string) {
  return { errorCode: errorCodeOf, check: (v: unknown): v is T => check.Check(v), what }
}

async function submit(s: HttpSettings, endpoint: ProviderEndpoint, jobId: string, entries: BatchEntry[], signal?: AbortSignal): Promise<{ remoteId: string }> {
  if (entries.length === 0) throw new ProviderCallError(providerError('invalid_request', 'A provider batch needs at least one request.'))
  const form = new FormData()
  form.append('purpose', 'batch')
  form.append('file', new Blob([entries.map(inputLine).join('\n') + '\n'], { type: 'application/jsonl' }), `batchrouter-${jobId}.jsonl`)
  const file = await requestJson(s, joinUrl(endpoint.baseUrl, '/files'), { method: 'POST', headers: headers(endpoint), body: form }, jsonCheck(checkFileObject, 'a File object'), signal)
  const body = { input_file_id: file.id, endpoint: inputEndpoint(entries[0]!), completion_window: '24h', metadata: { [JOB_METADATA_KEY]: jobId } }
  const batch = await requestJson(s, joinUrl(endpoint.baseUrl, '/batches'), { method: 'POST', headers: headers(endpoint, { 'content-type': 'application/json' }), body: JSON.stringify(body) }, jsonCheck(checkBatch, 'a Batch object'), signal)
  return { remoteId: batch.id }
}

function inputEndpoint(entry: BatchEntry): string {
  return (JSON.parse(inputLine(entry)) as { url: string }).url
}

async function find(s: HttpSettings, endpoint: ProviderEndpoint, jobId: string, signal?: AbortSignal): Promise<string | null> {
  let after: string | null = null
  for (let page = 0; page < FIND_PAGES; page++) {
    const query: string = `/batches?limit=100${after ? `&after=${encodeURIComponent(after)}` : ''}`
    const list = await requestJson(s, joinUrl(endpoint.baseUrl, query), { method: 'GET', headers: headers(endpoint) }, jsonCheck(checkBatchList, 'a batch list'), signal)
    const hit = list.data.find((b) => b.metadata?.[JOB_METADATA_KEY] === jobId)
    if (hit) return hit.id
    if (!list.has_more || list.data.length === 0) return null
    after = list.last_id ?? list.data[list.data.length - 1]!.id
  }
  return null
}

function getBatch(s: HttpSettings, endpoint: ProviderEndpoint, remoteId: string, signal?: AbortSignal): Promise<Batch> {
  return requestJson(s, joinUrl(endpoint.baseUrl, `/batches/${encodeURIComponent(remoteId)}`), { method: 'GET', headers: headers(endpoint) }, jsonCheck(checkBatch, 'a Batch object'), signal)
}

function statusOf(batch: Batch): ProviderJobStatus {
  const state = remoteState(batch.status)
  const counts = batch.request_counts ?? { total: 0, completed: 0, failed: 0 }
  const terminal = state === 'ended' || state === 'expired' || state === 'cancelled' || state === 'failed'
  const code = state === 'failed' ? safeErrorCode(batch.errors?.data?.[0]?.code) : undefined
  return { state, counts, resultsReady: terminal, ...(code ? { error: code } : {}) }
}

async function* results(s: HttpSettings, endpoint: ProviderEndpoint, ref: ProviderJobRef, signal?: AbortSignal): AsyncGenerator<ItemOutcome> {
  const batch = await getBatch(s, endpoint, ref.remoteId, signal)
  for (const fileId of [batch.output_file_id, batch.error_file_id]) {
    if (!fileId) continue
    const response = await sendRequest(s, joinUrl(endpoint.baseUrl, `/files/${encodeURIComponent(fileId)}/content`), { method: 'GET', headers: headers(endpoint, { accept: 'application/binary' }) }, errorCodeOf, signal)
    if (!response.body) continue
    for await (const line of jsonlLines(response.body)) {
      if (line.text === null || line.text.trim() === '') continue
      const parsed = parseJson(line.text)
      if (!checkOutputLine.Check(parsed)) continue
      const itemId = ref.items.get(parsed.custom_id)
      if (itemId !== undefined) yield outcomeOfLine(parsed, itemId)
    }
  }
}
