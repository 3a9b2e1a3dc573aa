/**
 * Request-rate limits (contract §12): per API key and per org over a fixed window, and failed
 * authentications per client address. Counters live behind `RequestLimiter` so a shared store
 * (rate-limiter-flexible's PostgreSQL or Drizzle limiters) can replace the in-memory one when
 * routers scale out; nothing else knows how they are kept.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible'
import type { Config } from '../config'

/** One limiter's standing after a request: what the `x-ratelimit-*` headers report. */
export interface Quota {
  limit: number
  remaining: number
  /** Milliseconds until the window resets. */
  resetMs: number
}

/** The limits the edge applies; implementations keep the counters (in memory today). */
export interface RequestLimiter {
  /** Counts one request of `keyId` (and its org); `allowed` false once either is past its limit. `quota` is the tighter of the two. */
  consume(keyId: string, orgId: string | null): Promise<{ allowed: boolean; quota: Quota }>
  /** Milliseconds until `address` may try to authenticate again, or 0 when it may now. */
  blockedForMs(address: string): Promise<number>
  /** Counts a failed authentication from `address`; returns the block in milliseconds it now earns (0: none yet). */
  recordFailedAuth(address: string): Promise<number>
}

/** The in-process limiter (one router); counters reset when the process restarts. */
export function createMemoryLimiter(limits: Config['rateLimits']): RequestLimiter {
  const duration = limits.windowSeconds
  const perKey = new RateLimiterMemory({ keyPrefix: 'key', points: limits.perKey, duration })
  const perOrg = new RateLimiterMemory({ keyPrefix: 'org', points: limits.perOrg, duration })
  const failedAuth = new RateLimiterMemory({ keyPrefix: 'auth', points: limits.failedAuthPerAddress, duration })
  return {
    async consume(keyId, orgId) {
      const key = await hit(perKey, keyId, limits.perKey)
      const org = orgId === null ? key : await hit(perOrg, orgId, limits.perOrg)
      const tighter = org.quota.remaining < key.quota.remaining || !org.allowed ? org : key
      return { allowed: key.allowed && org.allowed, quota: !key.allowed ? key.quota : tighter.quota }
    },
    async blockedForMs(address) {
      const res = await failedAuth.get(address)
      return res && res.consumedPoints > limits.failedAuthPerAddress ? Math.max(res.msBeforeNext, 1) : 0
    },
    async recordFailedAuth(address) {
      const outcome = await hit(failedAuth, address, limits.failedAuthPerAddress)
      return outcome.allowed ? 0 : Math.max(outcome.quota.resetMs, 1)
    },
  }
}

async function hit(limiter: RateLimiterMemory, key: string, limit: number): Promise<{ allowed: boolean; quota: Quota }> {
  try {
    const res = await limiter.consume(key)
    return { allowed: true, quota: { limit, remaining: res.remainingPoints, resetMs: res.msBeforeNext } }
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection
    return { allowed: false, quota: { limit, remaining: 0, resetMs: rejection.msBeforeNext } }
  }
}

/**
 * `x-ratelimit-reset-requests` as OpenAI writes it: a Go-style duration (`850ms`, `12s`, `1m30s`).
 */
export function formatResetDuration(ms: number): string {
  const clamped = Math.max(0, Math.ceil(ms))
  if (clamped < 1000) return `${clamped}ms`
  const totalSeconds = Math.ceil(clamped / 1000)
  const minutes = Math.floor(totalSeconds / 60)
  const seconds = totalSeconds % 60
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`
}

/** The rate-limit headers of an authenticated response. */
export function quotaHeaders(quota: Quota): Record<string, string> {
  return {
    'x-ratelimit-limit-requests': String(quota.limit),
    'x-ratelimit-remaining-requests': String(quota.remaining),
    'x-ratelimit-reset-requests': formatResetDuration(quota.resetMs),
  }
}
