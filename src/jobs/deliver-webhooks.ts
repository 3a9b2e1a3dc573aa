/**
 * deliver-webhooks: leases due outbox events, POSTs them outside any transaction through
 * lib/safe-fetch, and records each attempt (features/webhooks). Events live in SQLite, so
 * deliveries survive a restart.
 */
import type { Deps } from '../deps'
import { deliverDueEvents } from '../features/webhooks/index'

/** Events delivered per pass. */
const CLAIM = 16

/** One pass; true when the claim was full. */
export async function deliverWebhooks(deps: Deps, now: number): Promise<boolean> {
  return (await deliverDueEvents(deps, now, CLAIM)) === CLAIM
}
