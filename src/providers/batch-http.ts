/**
 * The HTTP exchange shared by the batch adapters: one request with a timeout, no redirects
 * (they would carry the credential elsewhere), and every failure turned into a thrown
 * ProviderCallError whose ProviderError says whether the job layer may retry.
 */
import { errorForException, errorForStatus, parseRetryAfter, providerError, safeErrorCode } from './http-errors'
import { ProviderCallError } from './types'

/** The subset of `fetch` the adapters use (injectable for tests). */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>

/** Per-request timeout when the factory is given none: uploads of 200 MB need room. */
export const DEFAULT_BATCH_TIMEOUT_MS = 300_000

export interface HttpSettings {
  fetch: FetchLike
  timeoutMs: number
  now: () => number
}

/** Settings with defaults filled in. */
export function httpSettings(opts: { fetch?: FetchLike; timeoutMs?: number; now?: () => number }): HttpSettings {
  return { fetch: opts.fetch ?? ((url, init) => fetch(url, init)), timeoutMs: opts.timeoutMs ?? DEFAULT_BATCH_TIMEOUT_MS, now: opts.now ?? Date.now }
}

/**
 * Sends one request and returns the 2xx response with its body unread (for streaming), or
 * throws ProviderCallError: non-2xx by status (upstream `code` quoted when identifier-like),
 * exceptions as timeout/network. `errorCode` digs the code out of the dialect's error body.
 */
export async function sendRequest(s: HttpSettings, url: string, init: RequestInit, errorCode: (body: unknown) => unknown, signal?: AbortSignal): Promise<Response> {
  const timeout = AbortSignal.timeout(s.timeoutMs)
  let response: Response
  try {
    response = await s.fetch(url, { ...init, redirect: 'manual', signal: signal ? AbortSignal.any([signal, timeout]) : timeout })
  } catch (error) {
    throw new ProviderCallError(errorForException(error, { timedOut: timeout.aborted, aborted: signal?.aborted ?? false, timeoutMs: s.timeoutMs }))
  }
  if (response.status >= 200 && response.status <= 299) return response
  const text = await response.text().catch(() => '')
  throw new ProviderCallError(errorForStatus(response.status, { retryAfterMs: parseRetryAfter(response.headers, s.now()), code: safeErrorCode(errorCode(parseJson(text))) }))
}

/** Sends a request and parses its 2xx body as JSON checked by `check`; a body that fails the check is malformed_response. */
export async function requestJson<T>(s: HttpSettings, url: string, init: RequestInit, opts: { errorCode: (body: unknown) => unknown; check: (body: unknown) => body is T; what: string }, signal?: AbortSignal): Promise<T> {
  const response = await sendRequest(s, url, init, opts.errorCode, signal)
  let text: string
  try {
    text = await response.text()
  } catch (error) {
    throw new ProviderCallError(errorForException(error, { timedOut: false, aborted: signal?.aborted ?? false, timeoutMs: s.timeoutMs }))
  }
  const body = parseJson(text)
  if (!opts.check(body)) throw new ProviderCallError(providerError('malformed_response', `The provider answered HTTP ${response.status} with a body that is not ${opts.what}.`, { status: response.status }))
  return body
}

/** JSON.parse that answers undefined instead of throwing. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** `base` without trailing slashes followed by `path`. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`
}
