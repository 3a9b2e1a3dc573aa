/** Org rows → API objects. The webhook secret never leaves this module. */
import { toIso } from '../../lib/clock'
import { presentBalance, type Balance } from '../credits'
import type { OrgRow } from './table'
import type { AccountView } from './service'
import type { NewOrg } from './orgs'

/** `{url, configured}`; `null` url and `configured:false` when unset. */
export function presentDeliveryWebhook(org: OrgRow) {
  return { url: org.webhookUrl, configured: org.webhookUrl !== null, progress_events: org.progressEvents }
}

/** The `GET /v1/auth/account` object. */
export function presentAccount(view: AccountView) {
  return {
    org_id: view.org.id,
    name: view.org.name,
    ...presentBalance(view.balance),
    created_at: toIso(view.org.createdAt),
    delivery_webhook: view.org.webhookUrl === null ? null : presentDeliveryWebhook(view.org),
    api_key: { id: view.key.id, name: view.key.name, start: view.key.start },
  }
}

/** The agent-register answer: the new org and its key, shown once. */
export function presentRegistration(created: NewOrg & { balance: Balance }) {
  const { credit_balance, currency } = presentBalance(created.balance)
  return { org_id: created.org.id, api_key: created.apiKey, api_key_id: created.apiKeyId, name: created.org.name, credit_balance, currency }
}
