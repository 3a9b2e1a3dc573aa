/**
 * In-call retries for request-style adapters: retry retryable ProviderErrors with exponential
 * backoff and jitter (lib/backoff), honouring the provider's retryAfterMs. Waits longer than
 * `maxWaitMs` are not slept here: the last outcome is returned so the job layer can snooze the
 * item until `retryAfterMs` instead of holding a slot.
 */
import { backoffMs } from '../../lib/backoff'
import type { ProviderError } from '../types'

/** Any outcome shaped like ItemOutcome: ok, or a ProviderError. */
export type RetryableOutcome = { ok: true } | { ok: false; error: ProviderError }

export interface RetryOptions {
  /** Total attempts including the first (≥ 1). */
  maxAttempts: number
  baseMs: number
  maxMs: number
  /** Longest single wait accepted, including a provider's retryAfterMs (default maxMs). */
  maxWaitMs?: number
  random?: () => number
  sleep?: (ms: number) => Promise<void>
  /** Stops retrying (the last outcome is returned) once aborted. */
  signal?: AbortSignal
  /** Called before each wait, e.g. for logging. */
  onRetry?: (info: { attempt: number; error: ProviderError; delayMs: number }) => void
}

/**
 * Calls `fn(attempt)` (1-based) until it succeeds, fails with a non-retryable error, runs out of
 * attempts, or would have to wait longer than `maxWaitMs`; returns the last outcome. Never throws
 * unless `fn` does.
 */
export async function withRetries<T extends RetryableOutcome>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const sleep = opts.sleep ?? ((ms: number) => Bun.sleep(ms))
  const maxAttempts = Math.max(1, Math.floor(opts.maxAttempts))
  const maxWaitMs = opts.maxWaitMs ?? opts.maxMs
  for (let attempt = 1; ; attempt++) {
    const outcome = await fn(attempt)
    if (outcome.ok || !outcome.error.retryable || attempt >= maxAttempts || opts.signal?.aborted) return outcome
    const delayMs = outcome.error.retryAfterMs ?? backoffMs(attempt, opts, opts.random)
    if (delayMs > maxWaitMs) return outcome
    opts.onRetry?.({ attempt, error: outcome.error, delayMs })
    await sleep(delayMs)
    if (opts.signal?.aborted) return outcome
  }
}
