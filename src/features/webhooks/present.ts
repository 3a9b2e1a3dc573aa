/** Outbox rows → wire objects: the signed event body (contract §7) and the delivery log. */
import { toIso, toUnix } from '../../lib/clock'
import { moneyObject } from '../../lib/money'
import { openAiStatus, type BatchRow } from '../batches/index'
import type { WebhookEventType } from './models'
import type { WebhookDeliveryRow, WebhookEventRow } from './table'

/** Item counts and cost of a batch at the time of its event. */
export interface EventCounts {
  completed: number
  /** Failed, cancelled and expired items, as in the batch object's request_counts. */
  failed: number
  costMicros: number
}

/**
 * The event body: `{id, object:"event", type, created_at (unix seconds, as OpenAI's events),
 * data:{id, batch_id, status, openai_status, request_counts, cost, artifact_url, output_file_id, error_file_id}}`.
 * `batch` is the row as of after the state change.
 */
export function presentEventBody(eventId: string, type: WebhookEventType, now: number, batch: BatchRow, counts: EventCounts, artifactUrl: string | null) {
  return {
    id: eventId,
    object: 'event' as const,
    type,
    created_at: toUnix(now),
    data: {
      id: batch.id,
      batch_id: batch.id,
      status: batch.status,
      openai_status: openAiStatus(batch.status, batch.endIntent === 'cancelled'),
      request_counts: { total: batch.itemCount, completed: counts.completed, failed: counts.failed },
      cost: moneyObject(batch.chargedMicros ?? counts.costMicros),
      artifact_url: artifactUrl,
      output_file_id: batch.outputFileId ?? null,
      error_file_id: batch.errorFileId ?? null,
    },
  }
}

/** One event with its attempts, for GET /v1/batches/{id}/webhook-deliveries. Never the secret. */
export function presentDelivery(event: WebhookEventRow, attempts: WebhookDeliveryRow[]) {
  return {
    id: event.id,
    object: 'webhook_delivery' as const,
    batch_id: event.batchId,
    type: event.type,
    url: event.url,
    state: event.state,
    attempt_count: event.attempts,
    next_attempt_at: event.state === 'pending' ? toIso(event.nextAttemptAt) : null,
    created_at: toIso(event.createdAt),
    delivered_at: event.deliveredAt === null ? null : toIso(event.deliveredAt),
    attempts: attempts.map((a) => ({ attempt: a.attempt, at: toIso(a.at), status_code: a.statusCode, latency_ms: a.latencyMs, error: a.error })),
  }
}
