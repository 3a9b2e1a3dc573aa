/** The delivery log route (contract §7). Handlers parse, call the service, and present. */
import { Elysia, t } from 'elysia'
import type { Deps } from '../../deps'
import { customerAuth } from '../api-keys/index'
import { WebhookDeliveriesQuery, WebhookDeliveryList } from './models'
import { listWebhookDeliveries } from './service'

/** GET /v1/batches/{id}/webhook-deliveries, mounted once in http/routes.ts. */
export function webhooksRoutes(deps: Deps) {
  return new Elysia({ prefix: '/v1/batches', tags: ['Webhooks'] })
    .use(customerAuth(deps))
    .get('/:id/webhook-deliveries', ({ auth, params, query }) => listWebhookDeliveries(deps, auth.orgId, params.id, query), {
      params: t.Object({ id: t.String({ description: 'bat_… id' }) }),
      query: WebhookDeliveriesQuery,
      response: WebhookDeliveryList,
      detail: {
        summary: 'List webhook deliveries',
        description: 'Every event written for the batch (oldest first) with each delivery attempt: time, HTTP status, latency and error. Up to 8 attempts over about 24 h; the same webhook-id on each.',
      },
    })
}
