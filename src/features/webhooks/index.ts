/** What other parts of the app may use of webhooks. */
export { webhookEventsTable, webhookDeliveriesTable } from './table'
export type { WebhookEventRow, WebhookDeliveryRow } from './table'
export { WEBHOOK_EVENT_TYPES, EVENT_STATES, type WebhookEventType, type EventState } from './models'
export { enqueueBatchEventInTx, enqueueProgressEventsInTx, prepareArtifactUrl, webhookTargetOf, terminalEvent, terminalEventType, PROGRESS_INTERVAL_MS } from './outbox'
export { deliverDueEvents, WEBHOOK_LEASES, MAX_ATTEMPTS, RETRY, DELIVERY_TIMEOUT_MS } from './delivery'
export { deliveryHeaders, standardWebhookSignature, standardWebhookKey } from './sign'
export { webhooksRoutes } from './routes'
