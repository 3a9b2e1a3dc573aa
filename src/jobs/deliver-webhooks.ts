/**
 * deliver-webhooks: claims due outbox events (leased), POSTs them outside any transaction through
 * lib/safe-fetch, and records each attempt (features/webhooks/delivery). Events live in SQLite,
 * so deliveries survive a restart; a lease left by a crash is dropped at start-up.
 */
import { deliverDueEvents } from '../features/webhooks/index'
import type { Job } from './scheduler'

const CLAIM = 16

export const deliverWebhooksJob: Job = {
  name: 'deliver-webhooks',
  async run(deps, now) {
    return (await deliverDueEvents(deps, now, CLAIM)) === CLAIM
  },
}
