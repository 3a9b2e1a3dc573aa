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
  'not_run', // batch dialects: the provider batch expired or was cancelled before the line ran; re-route it, it never ran
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

/** Batch-style wire protocols: one provider job carries many items (design §5). */
export type BatchKind = 'openai-batch' | 'anthropic-batches'

/** One item inside a provider job: its request and the provider-safe custom id it travels under. */
export interface BatchEntry {
  customId: string
  request: ProviderRequest
}

/** Hard limits of one provider batch; larger lanes are split (providers/batch-split.ts). */
export interface BatchLimits {
  maxRequests: number
  /** Bytes of the serialized requests (OpenAI: the JSONL file; Anthropic: the JSON body). */
  maxBytes: number
}

/** What the job layer asks an adapter to create remotely. `jobId` is our `pjob_…` id. */
export interface BatchSubmission {
  jobId: string
  entries: BatchEntry[]
}

/** A remote provider job and the per-job map back from custom ids to our item ids. */
export interface ProviderJobRef {
  remoteId: string
  items: ReadonlyMap<string, string>
}

/** Where a remote job is, normalized across dialects (research §F status table). */
export const REMOTE_JOB_STATES = [
  'running', // validating / in_progress / finalizing (OpenAI), in_progress (Anthropic): poll again
  'cancelling', // a cancel was accepted and is being applied: poll again
  'ended', // finished normally: results hold every line
  'failed', // the provider refused the whole job (e.g. input validation): nothing ran
  'expired', // the completion window ran out: finished lines are returned, the rest never ran
  'cancelled', // cancelled: finished lines are returned, the rest never ran
] as const
export type RemoteJobState = (typeof REMOTE_JOB_STATES)[number]

export interface ProviderJobStatus {
  state: RemoteJobState
  /** Lines finished so far (Anthropic reports 0 until the job ends). */
  counts: { total: number; completed: number; failed: number }
  /** True once `results` can be read (a terminal job with output available). */
  resultsReady: boolean
  /** A failed job's reason as the provider states it (a short safe code), for the items' messages. */
  error?: string
}

/** Thrown by batch adapters for a failed HTTP exchange; `error` says whether to retry. */
export class ProviderCallError extends Error {
  constructor(public readonly error: ProviderError) {
    super(error.message)
  }
}

/**
 * Batch-style adapter (OpenAI Batch, Anthropic Message Batches). `encode` is pure (size and
 * translatability of one entry); the others do HTTP and throw ProviderCallError on failure.
 */
export interface BatchAdapter {
  kind: BatchKind
  limits: BatchLimits
  /** A custom id the provider accepts for `itemId`, unique within one job (`index` is its position). */
  customIdFor(itemId: string, index: number): string
  /** Serialized size of an entry, or why it cannot be sent to this dialect (never retried). */
  encode(entry: BatchEntry): { ok: true; bytes: number } | { ok: false; error: ProviderError }
  submit(endpoint: ProviderEndpoint, submission: BatchSubmission, signal?: AbortSignal): Promise<{ remoteId: string }>
  /** The remote id of a job created for `probe.jobId` before a crash, if the provider shows one. */
  find(endpoint: ProviderEndpoint, probe: { jobId: string; submittedAt: number; requestCount: number }, signal?: AbortSignal): Promise<string | null>
  poll(endpoint: ProviderEndpoint, remoteId: string, signal?: AbortSignal): Promise<ProviderJobStatus>
  /** Every line available, mapped back to its item; lines with unknown custom ids are skipped. */
  results(endpoint: ProviderEndpoint, ref: ProviderJobRef, signal?: AbortSignal): AsyncIterable<ItemOutcome>
  cancel(endpoint: ProviderEndpoint, remoteId: string, signal?: AbortSignal): Promise<void>
}
