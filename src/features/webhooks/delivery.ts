/**
 * Delivering outbox events (contract §7): claim due events under one lease (features/dispatch), POST each outside any
 * transaction through lib/safe-fetch (10 s timeout, no redirects, any 2xx succeeds), then record
 * the attempt and the event's next state in one transaction. Up to MAX_ATTEMPTS attempts over
 * about a day, with exponential backoff and jitter; every attempt keeps the event's id as
 * `webhook-id` and is signed afresh with the attempt's timestamp.
 */
import { and, eq } from 'drizzle-orm'
import type { Deps } from '../../deps'
import { writeTx } from '../../db/tx'
import { backoffMs } from '../../lib/backoff'
import { toUnix } from '../../lib/clock'
import { safeFetch, systemTransport, UnsafeUrlError } from '../../lib/safe-fetch'
import type { EventState } from './models'
import { deliveryHeaders } from './sign'
import { defineClaim, endLease, sqlList, type LeaseKind } from '../dispatch/index'
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

/** Events whose delivery lease lapsed (a crash mid-attempt) are simply claimable again. */
export const WEBHOOK_LEASES: LeaseKind & { table: typeof webhookEventsTable } = { name: 'webhook-events', table: webhookEventsTable, nudge: 'deliver-webhooks' }

/** Pending events that are due, soonest first. */
const claimDueEvents = defineClaim({
  kind: WEBHOOK_LEASES,
  where: `state IN (${sqlList(['pending'] satisfies EventState[])}) AND next_attempt_at <= $now`,
  orderBy: 'next_attempt_at',
  returning: ['id', 'batchId', 'orgId', 'type', 'body', 'url', 'secret', 'state', 'attempts', 'nextAttemptAt', 'leaseId', 'createdAt', 'deliveredAt'],
})

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
      .set({ state, attempts: attempt, leaseId: null, ...(state === 'delivered' ? { deliveredAt: now } : {}), ...(state === 'pending' ? { nextAttemptAt: now + backoffMs(attempt, RETRY, random) } : {}) })
      .where(and(eq(webhookEventsTable.id, event.id), eq(webhookEventsTable.state, 'pending'), eq(webhookEventsTable.attempts, attempt - 1))).run()
  })
  return state
}

/** Claims due events (one lease) and delivers them concurrently; returns how many were attempted. */
export async function deliverDueEvents(deps: Deps, now: number, limit: number): Promise<number> {
  const { leaseId, rows: claimed } = claimDueEvents.claim(deps, { holder: 'deliver-webhooks', until: now + LEASE_MS, limit, now })
  await Promise.all(claimed.map(async (event) => {
    const at = deps.clock.now()
    const result = await sendEvent(deps, event, at)
    const state = recordAttempt(deps, event, event.attempts + 1, at, result)
    const fields = { event_id: event.id, batch_id: event.batchId, attempt: event.attempts + 1, status_code: result.statusCode, state }
    if (result.ok) deps.log.debug('webhook delivered', fields)
    else deps.log[state === 'failed' ? 'warn' : 'info']('webhook attempt failed', { ...fields, error: result.error })
  }))
  if (leaseId) endLease(deps, WEBHOOK_LEASES, leaseId, deps.clock.now())
  return claimed.length
}
