/**
 * The one outcome path. Every runner — request, batch, and the edge nodes' results next — hands
 * its items' outcomes here: usage → cost (catalog pricing at the lane's locked rates) → the item's
 * result row → counters (metrics) → batch.progress events. Settlement to the ledger happens once,
 * at finalize. Outcomes are written in groups (one synchronous transaction per group, River's
 * batched completer), and each write is fenced by the item's attempt number as well as its
 * status: `WHERE id = ? AND status = 'running' AND attempts = ?`. A late answer — from a call
 * whose lease lapsed and whose item was re-queued and claimed again, or cancelled — changes
 * nothing. An outcome lost in a crash leaves its item `running` under its lease, which rescue
 * gives back: the only items ever sent twice.
 */
import type { Statement } from 'bun:sqlite'
import { and, eq, sql, type SQL } from 'drizzle-orm'
import type { Deps } from '../../deps'
import type { Db } from '../../db/client'
import { writeTx } from '../../db/tx'
import { backoffMs } from '../../lib/backoff'
import type { ItemOutcome, ProviderError } from '../../providers/types'
import { feeSchedule, priceTokens, type FeeSchedule } from '../catalog/index'
import { itemsTable, itemTransitionFrom, type ItemRow } from '../items/index'
import type { WorkPorts } from './ports'

/** Attempts per item before a retryable error becomes final. */
export const MAX_ATTEMPTS = 4
const RETRY_BASE_MS = 500
const RETRY_MAX_MS = 60_000

/** A running item stopped by its batch's cancel or expiry. */
export interface Stopped {
  ok: false
  itemId: string
  stoppedAs: 'cancelled' | 'expired'
}

/** A lane's locked pricing: micro-dollars per 1M input and output tokens, and the batch's SLA multiplier (bps). */
export interface LaneRates {
  input: number
  output: number
  slaMultiplierBps: number
}

/** One item's outcome as a runner reports it: for which attempt, on which provider, at which rates. */
export interface PendingOutcome {
  itemId: string
  /** The attempt that produced it (the item's `attempts` when it was claimed): the fence. */
  attempt: number
  provider: string
  rates: LaneRates
  outcome: ItemOutcome | Stopped
}

/** The moves an outcome makes (`running` → each), checked against the item state machine once, at load. */
const FROM = 'running'
for (const to of ['completed', 'failed', 'queued', 'cancelled', 'expired'] as const) itemTransitionFrom([FROM], to)

/**
 * Writes `outcomes` inside the caller's transaction; only items still running the same attempt
 * change. Returns the outcomes that were applied (the late ones are left out).
 */
export function recordOutcomesInTx(deps: Deps, ports: Pick<WorkPorts, 'recordedInTx'>, outcomes: readonly PendingOutcome[], now: number): { applied: PendingOutcome[]; progressEvents: number } {
  // One fee schedule per SLA multiplier in this group (batches of different tiers share a flush).
  const schedules = new Map<number, FeeSchedule>()
  const feesOf = (o: PendingOutcome) => schedules.get(o.rates.slaMultiplierBps) ?? schedules.set(o.rates.slaMultiplierBps, feeSchedule(deps, o.rates.slaMultiplierBps)).get(o.rates.slaMultiplierBps)!
  const completed = completedStatement(deps.db)
  const applied: PendingOutcome[] = []
  for (const o of outcomes) {
    const result = o.outcome
    let changes: number
    if (result.ok) {
      // The common case, through one prepared statement with positional values.
      const u = result.usage
      const cost = priceTokens(u.inputTokens, u.outputTokens, o.rates, o.provider, feesOf(o)).total
      changes = completed.run(JSON.stringify(result.output), u.inputTokens ?? null, u.outputTokens ?? null, u.cachedTokens ?? null, cost, now, o.itemId, o.attempt).changes
    } else {
      const fields = outcomeFields(o, feesOf(o), now)
      const keys = Object.keys(fields) as Array<keyof ItemFields & string>
      const values: Record<string, unknown> = { itemId: o.itemId, attempt: o.attempt }
      for (const k of keys) values[k] = fields[k] ?? null
      changes = updateStatement(deps.db, keys).run(values).changes
    }
    if (changes > 0) applied.push(o)
  }
  deps.metrics.countProviderOutcomes(applied)
  return { applied, progressEvents: ports.recordedInTx(deps, applied.map((o) => o.itemId), now) }
}

/** Writes `outcomes` in transactions of `chunk` outcomes and wakes finalize (and webhook delivery). Returns how many applied. */
export function recordOutcomes(deps: Deps, ports: Pick<WorkPorts, 'recordedInTx'>, outcomes: readonly PendingOutcome[], now: number, chunk = 500): number {
  let applied = 0
  let events = 0
  for (let i = 0; i < outcomes.length; i += chunk) {
    const written = writeTx(deps.db, () => recordOutcomesInTx(deps, ports, outcomes.slice(i, i + chunk), now))
    applied += written.applied.length
    events += written.progressEvents
  }
  if (applied > 0) deps.nudge('finalize-batches')
  if (events > 0) deps.nudge('deliver-webhooks')
  return applied
}

/** Outcomes that stop every listed item as its batch's end intent (cancelled or expired). */
export function stoppedOutcomes(items: Iterable<{ id: string; attempts: number }>, meta: { provider: string; rates: LaneRates }, endIntent: string): PendingOutcome[] {
  const stoppedAs = endIntent === 'expired' ? 'expired' : 'cancelled'
  return [...items].map((item) => ({ itemId: item.id, attempt: item.attempts, ...meta, outcome: { ok: false as const, itemId: item.id, stoppedAs } }))
}

/** Per database: the completed-outcome UPDATE, prepared once (bun:sqlite, positional values). */
const completedStatements = new WeakMap<Db, Statement>()

function completedStatement(db: Db): Statement {
  let statement = completedStatements.get(db)
  if (!statement) {
    statement = db.$client.prepare(
      `UPDATE items SET status = 'completed', output = ?, input_tokens = ?, output_tokens = ?, cached_tokens = ?, cost_micros = ?, error_code = NULL, error_message = NULL, completed_at = ?, lease_id = NULL
       WHERE id = ? AND status = '${FROM}' AND attempts = ?`,
    )
    completedStatements.set(db, statement)
  }
  return statement
}

type ItemFields = Partial<Pick<ItemRow, 'status' | 'output' | 'inputTokens' | 'outputTokens' | 'cachedTokens' | 'costMicros' | 'errorCode' | 'errorMessage' | 'completedAt' | 'nextAttemptAt' | 'leaseId'>>

/**
 * One prepared `UPDATE items SET … WHERE id = ? AND status = 'running' AND attempts = ?` per set
 * of columns (an outcome kind sets the same columns every time), so a flush does not rebuild and
 * re-prepare SQL for every item — at thousands of items a second that was most of dispatch's CPU.
 */
const prepared = new WeakMap<Db, Map<string, { run(values: Record<string, unknown>): { changes: number } }>>()

function updateStatement(db: Db, keys: Array<keyof ItemFields & string>) {
  let perDb = prepared.get(db)
  if (!perDb) prepared.set(db, (perDb = new Map()))
  const signature = keys.join(',')
  let statement = perDb.get(signature)
  if (!statement) {
    const set: Record<string, SQL> = {}
    for (const k of keys) set[k] = sql`${sql.placeholder(k)}`
    const fenced = and(eq(itemsTable.id, sql.placeholder('itemId')), eq(itemsTable.status, FROM), eq(itemsTable.attempts, sql.placeholder('attempt')))
    statement = db.update(itemsTable).set(set).where(fenced).prepare() as unknown as { run(values: Record<string, unknown>): { changes: number } }
    perDb.set(signature, statement)
  }
  return statement
}

function outcomeFields(o: PendingOutcome, fees: FeeSchedule, now: number): ItemFields {
  const result = o.outcome
  if ('stoppedAs' in result) {
    const cancelled = result.stoppedAs === 'cancelled'
    return { status: result.stoppedAs, errorCode: cancelled ? 'batch_cancelled' : 'batch_expired', errorMessage: cancelled ? 'The batch was cancelled while this item was running.' : 'The SLA deadline passed while this item was running.', completedAt: now, leaseId: null }
  }
  if (result.ok) {
    const u = result.usage
    const cost = priceTokens(u.inputTokens, u.outputTokens, o.rates, o.provider, fees).total
    return { status: 'completed', output: JSON.stringify(result.output), inputTokens: u.inputTokens, outputTokens: u.outputTokens, cachedTokens: u.cachedTokens, costMicros: cost, errorCode: null, errorMessage: null, completedAt: now, leaseId: null }
  }
  const err = result.error
  if (err.retryable && o.attempt < MAX_ATTEMPTS) {
    const wait = Math.max(err.retryAfterMs ?? 0, backoffMs(o.attempt, { baseMs: RETRY_BASE_MS, maxMs: RETRY_MAX_MS }))
    return { status: 'queued', nextAttemptAt: now + wait, leaseId: null, errorCode: errorCodeOf(err), errorMessage: err.message }
  }
  const tries = o.attempt > 1 ? ` after ${o.attempt} attempts` : ''
  return { status: 'failed', errorCode: errorCodeOf(err), errorMessage: `${err.message}${tries}`, completedAt: now, leaseId: null, costMicros: 0 }
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
