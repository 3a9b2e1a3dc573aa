/**
 * Recording dispatch outcomes. Outcomes are applied in groups (one synchronous transaction per
 * flush) so a 20,000-item batch is not limited by one fsync per item; an outcome lost in a crash
 * leaves its item `running`, and rescue-leases sends it again — the only items ever re-sent.
 */
import type { Statement } from 'bun:sqlite'
import { and, eq, sql, type SQL } from 'drizzle-orm'
import type { Deps } from '../deps'
import type { Db } from '../db/client'
import { writeTx } from '../db/tx'
import { backoffMs } from '../lib/backoff'
import { itemsTable } from '../features/items/index'
import { feeSchedule } from '../features/quotes/index'
import { priceTokens } from '../features/routing/index'
import { enqueueProgressEventsInTx } from '../features/webhooks/index'
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

/**
 * Applies a group of outcomes in one transaction; only items still `running` are touched. The
 * same transaction writes batch.progress webhook events for orgs that opted in (throttled).
 */
export function applyOutcomes(deps: Deps, outcomes: PendingOutcome[], now: number): void {
  const fees = feeSchedule(deps)
  const completed = completedStatement(deps.db)
  const progressEvents = writeTx(deps.db, () => {
    for (const o of outcomes) {
      const result = o.outcome
      if (result.ok) {
        // The common case, through one prepared statement with positional values.
        const u = result.usage
        const cost = priceTokens(u.inputTokens, u.outputTokens, o.rates, o.provider, fees).total
        completed.run(JSON.stringify(result.output), u.inputTokens ?? null, u.outputTokens ?? null, u.cachedTokens ?? null, cost, now, o.itemId)
        continue
      }
      const fields = outcomeFields(o, fees, now)
      const keys = Object.keys(fields) as Array<keyof typeof fields>
      const values: Record<string, unknown> = { itemId: o.itemId }
      for (const k of keys) values[k] = fields[k] ?? null
      updateStatement(deps.db, keys).run(values)
    }
    return enqueueProgressEventsInTx(deps, outcomes.map((o) => o.itemId), now)
  })
  deps.metrics.countProviderOutcomes(outcomes)
  if (progressEvents > 0) deps.nudge('deliver-webhooks')
}

/** Per database: the completed-outcome UPDATE, prepared once (bun:sqlite, positional values). */
const completedStatements = new WeakMap<Db, Statement>()

function completedStatement(db: Db): Statement {
  let statement = completedStatements.get(db)
  if (!statement) {
    statement = db.$client.prepare(
      `UPDATE items SET status = 'completed', output = ?, input_tokens = ?, output_tokens = ?, cached_tokens = ?, cost_micros = ?, error_code = NULL, error_message = NULL, completed_at = ?, lease_until = NULL
       WHERE id = ? AND status = 'running'`,
    )
    completedStatements.set(db, statement)
  }
  return statement
}

type ItemFields = Partial<typeof itemsTable.$inferInsert>

/**
 * One prepared `UPDATE items SET … WHERE id = ? AND status = 'running'` per set of columns (an
 * outcome kind sets the same columns every time), so a flush does not rebuild and re-prepare SQL
 * for every item — at thousands of items a second that was most of the dispatcher's CPU.
 */
const prepared = new WeakMap<Db, Map<string, { run(values: Record<string, unknown>): unknown }>>()

function updateStatement(db: Db, keys: Array<keyof ItemFields>) {
  let perDb = prepared.get(db)
  if (!perDb) prepared.set(db, (perDb = new Map()))
  const signature = keys.join(',')
  let statement = perDb.get(signature)
  if (!statement) {
    const set: Record<string, SQL> = {}
    for (const k of keys) set[k] = sql`${sql.placeholder(k)}`
    statement = db.update(itemsTable).set(set as ItemFields).where(and(eq(itemsTable.id, sql.placeholder('itemId')), eq(itemsTable.status, 'running'))).prepare()
    perDb.set(signature, statement)
  }
  return statement
}

function outcomeFields(o: PendingOutcome, fees: ReturnType<typeof feeSchedule>, now: number): ItemFields {
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
