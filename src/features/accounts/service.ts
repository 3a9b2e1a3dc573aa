/** Account services: self-registration, the account view and the org default delivery webhook. */
import { eq } from 'drizzle-orm'
import type { Deps } from '../../deps'
import { AppError, notFound } from '../../lib/errors'
import { getBalance, type Balance } from '../credits'
import { getOrgKey, type ApiKeyRow } from '../api-keys'
import { orgsTable, type OrgRow } from './table'
import { createOrg, type NewOrg } from './orgs'
import { checkWebhookUrl } from './webhook-url'

/** The org row; throws 404 not_found when it does not exist. */
export function getOrg(deps: Deps, orgId: string): OrgRow {
  const org = deps.db.select().from(orgsTable).where(eq(orgsTable.id, orgId)).get()
  if (!org) throw notFound('org', orgId)
  return org
}

/**
 * Self-service sign-up (`POST /v1/auth/agent-register`): a new org with its first key and the
 * configured starting credit. Throws 403 forbidden when the operator closed registration.
 */
export function registerAgent(deps: Deps, input: { name?: string; agentName?: string; email?: string }): NewOrg & { balance: Balance } {
  if (deps.config.registration === 'closed') {
    throw new AppError('forbidden', { message: 'Self-registration is closed on this BatchRouter; ask its operator for an account and an API key.' })
  }
  const created = createOrg(deps, { name: input.name, agentName: input.agentName, email: input.email })
  return { ...created, balance: getBalance(deps, created.org.id) }
}

/** Everything `GET /v1/auth/account` shows: the org, its balances and the calling key. */
export interface AccountView {
  org: OrgRow
  balance: Balance
  key: ApiKeyRow
}

export function getAccount(deps: Deps, auth: { orgId: string; keyId: string }): AccountView {
  return { org: getOrg(deps, auth.orgId), balance: getBalance(deps, auth.orgId), key: getOrgKey(deps, auth.orgId, auth.keyId) }
}

/**
 * Sets the org default webhook after the URL checks (throws 400 unsafe_webhook_url) and whether
 * the org receives batch.progress events. The secret is stored to sign deliveries and never returned.
 */
export function setDeliveryWebhook(deps: Deps, orgId: string, input: { url: string; secret: string; progress_events?: boolean }): OrgRow {
  checkWebhookUrl(input.url, 'url', deps.config.webhooks)
  deps.db.update(orgsTable).set({ webhookUrl: input.url, webhookSecret: input.secret, progressEvents: input.progress_events ?? false }).where(eq(orgsTable.id, orgId)).run()
  return getOrg(deps, orgId)
}

/** Clears the org default webhook; clearing an unset webhook is not an error. */
export function clearDeliveryWebhook(deps: Deps, orgId: string): OrgRow {
  deps.db.update(orgsTable).set({ webhookUrl: null, webhookSecret: null, progressEvents: false }).where(eq(orgsTable.id, orgId)).run()
  return getOrg(deps, orgId)
}
