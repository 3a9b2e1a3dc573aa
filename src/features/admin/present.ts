/** Operator views: orgs with balances, cross-org batches, audit rows, and their list envelopes. */
import { toIso } from '../../lib/clock'
import { presentDeliveryWebhook, type NewOrg, type OrgRow } from '../accounts'
import { presentBalance, presentLedgerEntry, type Balance, type CreditResult } from '../credits'
import type { AuditRow } from '../audit'
import type { BatchRow } from '../batches/index'
import type { CatalogReload } from './catalog-reload'

/** The list envelope shared by the admin lists. */
export function presentList<T extends { id: I }, I extends string | number>(data: T[], hasMore: boolean) {
  return { object: 'list' as const, data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: hasMore }
}

/** An org as operators see it: contact fields, balances and webhook (never its secret). */
export function presentAdminOrg(org: OrgRow, balance: Balance) {
  return {
    id: org.id,
    object: 'organization' as const,
    name: org.name,
    email: org.email,
    agent_name: org.agentName,
    ...presentBalance(balance),
    created_at: toIso(org.createdAt),
    delivery_webhook: org.webhookUrl === null ? null : presentDeliveryWebhook(org),
  }
}

/** The create-org answer: the org and its first key, shown once. */
export function presentCreatedOrg(created: NewOrg & { balance: Balance }) {
  return { org: presentAdminOrg(created.org, created.balance), api_key: created.apiKey, api_key_id: created.apiKeyId }
}

/** A grant or adjustment: the (original, when replayed) entry and the balance now. */
export function presentCreditResult(result: CreditResult) {
  return { entry: presentLedgerEntry(result.entry), replayed: result.replayed, balance: presentBalance(result.balance) }
}

export function presentAdminBatch(row: Pick<BatchRow, 'id' | 'orgId' | 'status' | 'createdAt' | 'itemCount'>) {
  return { id: row.id, org_id: row.orgId, status: row.status, created_at: toIso(row.createdAt), item_count: row.itemCount }
}

export function presentAuditEntry(row: AuditRow) {
  return {
    id: row.id,
    object: 'audit_entry' as const,
    actor_key_id: row.actorKeyId,
    action: row.action,
    subject_id: row.subjectId,
    detail: (row.detail ?? null) as Record<string, unknown> | null,
    created_at: toIso(row.createdAt),
  }
}

/** The catalog-reload answer: counts of the catalog now in effect. */
export function presentCatalogReload(reload: CatalogReload) {
  return { reloaded: true as const, models: reload.models, offerings: reload.offerings, pricing_updated_at: reload.pricingUpdatedAt }
}
