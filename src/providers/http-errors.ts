/**
 * Shared by HTTP adapters: turning a status, headers and thrown fetch errors into a
 * ProviderError. Messages are safe summaries written here — upstream error text is never copied;
 * at most a short identifier-like upstream `code` is quoted.
 */
import type { ProviderError, ProviderErrorKind } from './types'

/** Kinds the job layer may retry; the others fail the item (or the provider) without retry. */
const RETRYABLE: Record<ProviderErrorKind, boolean> = {
  rate_limited: true,
  server_error: true,
  timeout: true,
  network: true,
  malformed_response: true,
  invalid_request: false,
  auth: false,
  not_run: true,
}

/** Builds a ProviderError with the standard `retryable` flag of its kind. */
export function providerError(kind: ProviderErrorKind, message: string, extra: { status?: number; retryAfterMs?: number; retryable?: boolean } = {}): ProviderError {
  const error: ProviderError = { kind, retryable: extra.retryable ?? RETRYABLE[kind], message }
  if (extra.status !== undefined) error.status = extra.status
  if (extra.retryAfterMs !== undefined) error.retryAfterMs = extra.retryAfterMs
  return error
}

/**
 * Milliseconds the provider asks us to wait: `retry-after-ms`, else `retry-after` as seconds or
 * an HTTP date (relative to `nowMs`). Undefined when absent or unparseable; never negative.
 */
export function parseRetryAfter(headers: Headers, nowMs: number = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms')
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Math.round(Number(ms)))
  const value = headers.get('retry-after')?.trim()
  if (!value) return undefined
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs)
}

/** An upstream error `code` worth quoting: a short identifier or an integer, else undefined. */
export function safeErrorCode(code: unknown): string | undefined {
  if (typeof code === 'number' && Number.isInteger(code)) return String(code)
  if (typeof code === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(code)) return code
  return undefined
}

/** Maps a non-2xx HTTP answer to its ProviderError (see the table in the adapter contract). */
export function errorForStatus(status: number, opts: { retryAfterMs?: number; code?: string } = {}): ProviderError {
  const detail = `HTTP ${status}${opts.code ? `, code ${opts.code}` : ''}`
  const extra = { status, retryAfterMs: opts.retryAfterMs }
  if (status === 429) return providerError('rate_limited', `The provider rate-limited the request (${detail}).`, extra)
  if (status === 401 || status === 403) return providerError('auth', `The provider refused our credential (${detail}).`, extra)
  if (status === 408) return providerError('timeout', `The provider timed out the request (${detail}).`, extra)
  if (status === 409) return providerError('server_error', `The provider reported a conflict; try again (${detail}).`, extra)
  if (status >= 500) return providerError('server_error', `The provider failed to answer (${detail}).`, extra)
  if (status >= 400) return providerError('invalid_request', `The provider rejected the request (${detail}).`, extra)
  // 1xx/3xx: a redirect or an odd status means the base URL is wrong; retrying the item will not help.
  return providerError('server_error', `The provider answered with unexpected HTTP ${status}; check its base URL.`, { ...extra, retryable: false })
}

/**
 * Maps an exception thrown by fetch or while reading the body: our timeout → timeout, the
 * caller's abort → timeout (the dispatcher gave up), anything else → network.
 */
export function errorForException(error: unknown, opts: { timedOut: boolean; aborted: boolean; timeoutMs: number }): ProviderError {
  if (opts.timedOut) return providerError('timeout', `The provider did not answer within ${opts.timeoutMs} ms.`)
  if (opts.aborted) return providerError('timeout', 'The request was cancelled before the provider answered.')
  const code = (error as { code?: unknown } | null)?.code
  const safe = safeErrorCode(code)
  return providerError('network', `Could not reach the provider${safe ? ` (${safe})` : ''}.`)
}
