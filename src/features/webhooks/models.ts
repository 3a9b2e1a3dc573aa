/** Webhook vocabulary (contract §7) and the delivery-log response schemas. */
import { t } from 'elysia'

/** Event types; written to the outbox by finalize (terminal) and the dispatcher flush (progress). */
export const WEBHOOK_EVENT_TYPES = [
  'batch.completed', // finalize ended the batch completed (some items may have failed)
  'batch.failed', // finalize ended the batch failed (nothing could run)
  'batch.cancelled', // finalize ended a batch the user cancelled
  'batch.expired', // finalize ended a batch whose SLA deadline passed
  'batch.progress', // opt-in per org: counts moved; at most one per batch every 30 s
] as const
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number]

/** Outbox states; deliver-webhooks moves pending → delivered | failed. */
export const EVENT_STATES = [
  'pending', // waiting for its next attempt (next_attempt_at); leased while an attempt runs
  'delivered', // terminal: a 2xx answered; never sent again
  'failed', // terminal: MAX_ATTEMPTS attempts without a 2xx; kept for the delivery log
] as const
export type EventState = (typeof EVENT_STATES)[number]

const Iso = (description: string) => t.String({ description, examples: ['2026-01-01T00:00:00.000Z'] })

/** One delivery attempt as the delivery log shows it. */
export const DeliveryAttemptObject = t.Object({
  attempt: t.Integer({ description: '1-based attempt number.' }),
  at: Iso('When the attempt started.'),
  status_code: t.Union([t.Integer(), t.Null()], { description: "The receiver's HTTP status; null when no response came." }),
  latency_ms: t.Integer(),
  error: t.Union([t.String(), t.Null()], { description: 'Why the attempt failed; null on success.' }),
})

export const WebhookDeliveryObject = t.Object(
  {
    id: t.String({ description: 'The event id (`evt_…`), also sent as `webhook-id` on every attempt.' }),
    object: t.Literal('webhook_delivery'),
    batch_id: t.String(),
    type: t.String({ description: 'batch.completed | batch.failed | batch.cancelled | batch.expired | batch.progress' }),
    url: t.String(),
    state: t.String({ description: 'pending | delivered | failed' }),
    attempt_count: t.Integer(),
    next_attempt_at: t.Union([Iso('When the next attempt is due.'), t.Null()]),
    created_at: Iso('When the event was written.'),
    delivered_at: t.Union([Iso('When a 2xx answered.'), t.Null()]),
    attempts: t.Array(DeliveryAttemptObject),
  },
  { description: 'One event of the batch and every attempt to deliver it. The secret is never shown.' },
)

/** The delivery log page: events oldest first, cursor `after` = an event id. */
export const WebhookDeliveryList = t.Object({
  object: t.Literal('list'),
  data: t.Array(WebhookDeliveryObject),
  first_id: t.Union([t.String(), t.Null()]),
  last_id: t.Union([t.String(), t.Null()]),
  has_more: t.Boolean(),
})

/** Paging of the delivery log. */
export const WebhookDeliveriesQuery = t.Object({
  after: t.Optional(t.String({ description: 'An event id: list the events written after it.' })),
  limit: t.Optional(t.Integer({ description: 'Page size, 1–100 (default 20).', examples: [20] })),
})
