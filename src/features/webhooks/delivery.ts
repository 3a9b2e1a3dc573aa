/**
 * Delivering outbox events (contract §7): claim due events with a lease, POST each outside any
 * transaction through lib/safe-fetch (10 s timeout, no redirects, any 2xx succeeds), then record
 * the attempt and the event's next state in one transaction. Up to MAX_ATTEMPTS attempts over
 * about a day, with exponential backoff and jitter; every attempt keeps the event's id as
 * `webhook-id` and is signed afresh with the attempt's timestamp.
 */
import { and, asc, eq, inArray, isNotNull, isNull, lt, lte, or, sql } from 'drizzle-orm'
import type { Deps } from '../../deps'
import type { Db } from '../../db/client'
import { writeTx } from '../../db/tx'
import { backoffMs } from '../../lib/backoff'
import { toUnix } from '../../lib/clock'
import { safeFetch, systemTransport, UnsafeUrlError } from '../../lib/safe-fetch'
import type { EventState } from './models'
import { deliveryHeaders } from './sign'
import { webhookDeliveriesTable, webhookEventsTable, type WebhookEventRow } from './table'

/** Attempts per event before it is given up (state failed). */
export const MAX_ATTEMPTS = 8
/** Per-attempt timeout of the POST. */
export const DELIVERY_TIMEOUT_MS = 10_000
/**
 * Gap after attempt n: 20 s × 4^(n-1), jittered to [50 %, 100 %]: 20 s, 80 s, 5 min, 21 min,
 * 85 min, 5.7 h, 22.8 h — seven gaps of 15–30 h in all, about a day.
 */
export const RETRY = { baseMs: 20_000, factor: 4, maxMs: 24 * 3600 * 1000 } as const
/** A claimed event is not claimed again before this, so a slow attempt is never sent twice. */
const LEASE_MS = 3 * DELIVERY_TIMEOUT_MS

/** Per database: the due-events read, prepared once (deliver-webhooks runs it every tick). */
const dueStatements = new WeakMap<Db, { all(v: { now: number; limit: number }): Array<{ id: string }> }>()

function dueStatement(deps: Deps) {
  let statement = dueStatements.get(deps.db)
  if (!statement) {
    const now = sql.placeholder('now')
    statement = deps.db.select({ id: webhookEventsTable.id }).from(webhookEventsTable)
      .where(and(eq(webhookEventsTable.state, 'pending'), lte(webhookEventsTable.nextAttemptAt, now), or(isNull(webhookEventsTable.leaseUntil), lt(webhookEventsTable.leaseUntil, now))))
      .orderBy(asc(webhookEventsTable.nextAttemptAt)).limit(sql.placeholder('limit')).prepare()
    dueStatements.set(deps.db, statement)
  }
  return statement
}

/**
 * Claims up to `limit` pending events that are due and not leased; marks them leased. An idle
 * tick only reads; the write transaction re-checks every condition, so two claimers never share.
 */
export function claimDueEvents(deps: Deps, now: number, limit: number): WebhookEventRow[] {
  const due = dueStatement(deps).all({ now, limit })
  if (due.length === 0) return []
  const claimable = and(eq(webhookEventsTable.state, 'pending'), lte(webhookEventsTable.nextAttemptAt, now), or(isNull(webhookEventsTable.leaseUntil), lt(webhookEventsTable.leaseUntil, now)))
  return writeTx(deps.db, () =>
    deps.db.update(webhookEventsTable).set({ leaseUntil: now + LEASE_MS }).where(and(inArray(webhookEventsTable.id, due.map((d) => d.id)), claimable)).returning().all(),
  )
}

/** Drops every delivery lease (start-up: this process owns the data dir, so no attempt is in flight). */
export function releaseWebhookLeases(deps: Deps): number {
  return deps.db.update(webhookEventsTable).set({ leaseUntil: null })
    .where(and(eq(webhookEventsTable.state, 'pending'), isNotNull(webhookEventsTable.leaseUntil))).returning({ id: webhookEventsTable.id }).all().length
}

export interface AttemptResult {
  ok: boolean
  statusCode: number | null
  latencyMs: number
  error: string | null
}

/** One signed POST of `event`; never throws (a refusal or network error is a failed attempt). */
export async function sendEvent(deps: Deps, event: WebhookEventRow, at: number): Promise<AttemptResult> {
  const headers = deliveryHeaders({ eventId: event.id, timestampS: toUnix(at), body: event.body, secret: event.secret })
  const started = performance.now()
  const latency = () => Math.round(performance.now() - started)
  try {
    const res = await safeFetch(event.url, { method: 'POST', headers, body: event.body, timeoutMs: DELIVERY_TIMEOUT_MS }, deps.config.webhooks, deps.webhookTransport ?? systemTransport)
    await res.body?.cancel().catch(() => {})
    const ok = res.status >= 200 && res.status < 300
    const error = ok ? null : res.status >= 300 && res.status < 400 ? `redirect (${res.status}) not followed` : `receiver answered ${res.status}`
    return { ok, statusCode: res.status, latencyMs: latency(), error }
  } catch (err) {
    return { ok: false, statusCode: null, latencyMs: latency(), error: describeFailure(err) }
  }
}

function describeFailure(err: unknown): string {
  if (err instanceof UnsafeUrlError) return `unsafe_webhook_url: ${err.message}`
  const e = err as { name?: string; code?: string }
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${DELIVERY_TIMEOUT_MS / 1000} s`
  return `connection failed${e?.code ? ` (${e.code})` : ''}`
}

/**
 * Records attempt `attempt` and moves the event on: delivered on a 2xx, failed after
 * MAX_ATTEMPTS, else pending again after the backoff. A repeated record of the same attempt
 * changes nothing. Returns the event's new state.
 */
export function recordAttempt(deps: Deps, event: WebhookEventRow, attempt: number, at: number, result: AttemptResult, random: () => number = Math.random): EventState {
  const now = deps.clock.now()
  const state: EventState = result.ok ? 'delivered' : attempt >= MAX_ATTEMPTS ? 'failed' : 'pending'
  writeTx(deps.db, () => {
    deps.db.insert(webhookDeliveriesTable).values({ eventId: event.id, batchId: event.batchId, attempt, at, statusCode: result.statusCode, latencyMs: result.latencyMs, error: result.error }).onConflictDoNothing().run()
    deps.db.update(webhookEventsTable)
      .set({ state, attempts: attempt, leaseUntil: null, ...(state === 'delivered' ? { deliveredAt: now } : {}), ...(state === 'pending' ? { nextAttemptAt: now + backoffMs(attempt, RETRY, random) } : {}) })
      .where(and(eq(webhookEventsTable.id, event.id), eq(webhookEventsTable.state, 'pending'), eq(webhookEventsTable.attempts, attempt - 1))).run()
  })
  return state
}

/** Claims due events and delivers them concurrently; returns how many were attempted. */
export async function deliverDueEvents(deps: Deps, now: number, limit: number): Promise<number> {
  const claimed = claimDueEvents(deps, now, limit)
  await Promise.all(claimed.map(async (event) => {
    const at = deps.clock.now()
    const result = await sendEvent(deps, event, at)
    const state = recordAttempt(deps, event, event.attempts + 1, at, result)
    const fields = { event_id: event.id, batch_id: event.batchId, attempt: event.attempts + 1, status_code: result.statusCode, state }
    if (result.ok) deps.log.debug('webhook delivered', fields)
    else deps.log[state === 'failed' ? 'warn' : 'info']('webhook attempt failed', { ...fields, error: result.error })
  }))
  return claimed.length
}
