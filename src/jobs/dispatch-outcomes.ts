/**
 * Recording dispatch outcomes. Outcomes are applied in groups (one synchronous transaction per
 * flush) so a 20,000-item batch is not limited by one fsync per item; an outcome lost in a crash
 * leaves its item `running`, and rescue-leases sends it again — the only items ever re-sent.
 */
import { and, eq } from 'drizzle-orm'
import type { Deps } from '../deps'
import { writeTx } from '../db/tx'
import { backoffMs } from '../lib/backoff'
import { itemsTable } from '../features/batches/index'
import { feeSchedule } from '../features/quotes/index'
import { priceTokens } from '../features/routing/index'
import type { ItemOutcome, ProviderError } from '../providers/types'

/** Attempts per item before a retryable error becomes final. */
export const MAX_ATTEMPTS = 4
const RETRY_BASE_MS = 500
const RETRY_MAX_MS = 60_000

export interface PendingOutcome {
  itemId: string
  attempts: number
  provider: string
  rates: { input: number; output: number }
  outcome: ItemOutcome | { ok: false; itemId: string; stoppedAs: 'cancelled' | 'expired' }
}

/** Applies a group of outcomes in one transaction; only items still `running` are touched. */
export function applyOutcomes(deps: Deps, outcomes: PendingOutcome[], now: number): void {
  const fees = feeSchedule(deps)
  writeTx(deps.db, () => {
    for (const o of outcomes) {
      const stillRunning = and(eq(itemsTable.id, o.itemId), eq(itemsTable.status, 'running'))
      deps.db.update(itemsTable).set(outcomeFields(o, fees, now)).where(stillRunning).run()
    }
  })
}

function outcomeFields(o: PendingOutcome, fees: ReturnType<typeof feeSchedule>, now: number): Partial<typeof itemsTable.$inferInsert> {
  const result = o.outcome
  if ('stoppedAs' in result) {
    const cancelled = result.stoppedAs === 'cancelled'
    return { status: result.stoppedAs, errorCode: cancelled ? 'batch_cancelled' : 'batch_expired', errorMessage: cancelled ? 'The batch was cancelled while this item was running.' : 'The SLA deadline passed while this item was running.', completedAt: now, leaseUntil: null }
  }
  if (result.ok) {
    const u = result.usage
    const cost = priceTokens(u.inputTokens, u.outputTokens, o.rates, o.provider, fees).total
    return { status: 'completed', output: JSON.stringify(result.output), inputTokens: u.inputTokens, outputTokens: u.outputTokens, cachedTokens: u.cachedTokens, costMicros: cost, errorCode: null, errorMessage: null, completedAt: now, leaseUntil: null }
  }
  const err = result.error
  if (err.retryable && o.attempts < MAX_ATTEMPTS) {
    const wait = Math.max(err.retryAfterMs ?? 0, backoffMs(o.attempts, { baseMs: RETRY_BASE_MS, maxMs: RETRY_MAX_MS }))
    return { status: 'queued', nextAttemptAt: now + wait, leaseUntil: null, errorCode: errorCodeOf(err), errorMessage: err.message }
  }
  const tries = o.attempts > 1 ? ` after ${o.attempts} attempts` : ''
  return { status: 'failed', errorCode: errorCodeOf(err), errorMessage: `${err.message}${tries}`, completedAt: now, leaseUntil: null, costMicros: 0 }
}

/** The result-row error code for a provider error (contract §5 examples). */
export function errorCodeOf(err: ProviderError): string {
  switch (err.kind) {
    case 'invalid_request':
      return 'invalid_request'
    case 'timeout':
      return 'request_timeout'
    case 'rate_limited':
      return 'rate_limited'
    default:
      return 'provider_error'
  }
}
