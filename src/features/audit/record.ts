/** Writing and reading the operator audit log. Rows are append-only; nothing updates or deletes them. */
import { and, desc, eq, lt } from 'drizzle-orm'
import type { Deps } from '../../deps'
import { auditLogTable, type AuditRow } from './table'

/** Closed set of audited operator actions. */
export const AUDIT_ACTIONS = {
  'org.create': 'an operator created an org (and its first key) via the admin API', // subject: org id
  'credits.grant': 'an operator granted credit; the ledger entry holds the money, this row the actor', // subject: org id
  'credits.adjust': 'an operator adjusted credit (signed); paired with a ledger entry', // subject: org id
  'admin_key.create': 'an admin key was minted with `batchrouter admin create-key`', // subject: key id
  'catalog.reload': "an operator re-read the config file's catalog section; detail holds the path and counts", // subject: none
  'key.create': 'an operator minted a customer key for an org with `batchrouter keys create --org`', // subject: key id
  'key.revoke': 'an operator revoked a customer or admin key with `batchrouter keys revoke`', // subject: key id
  'fleet.join_token.create': 'an operator minted a fleet join token; detail holds trust tier, regions, expiry and uses', // subject: token id
  'fleet.join_token.revoke': 'an operator revoked an unused fleet join token', // subject: token id
  'fleet.node.join': 'an edge node joined with a join token (actor null: the node); detail names the token, tier and regions', // subject: node id
  'fleet.node.drain': 'an operator drained an edge node: no new leases, running ones finish', // subject: node id
  'fleet.node.revoke': 'an operator revoked an edge node: its token is refused and its leases went back', // subject: node id
  'fleet.node.offline': 'an edge node missed 3 heartbeats and went offline; its leases went back (actor null: the scheduler)', // subject: node id
  'fleet.node.online': 'an offline edge node heartbeated again and is back online (actor null: the node)', // subject: node id
  'data.restore': 'the data dir was replaced from a backup with `batchrouter restore`; detail names the backup', // subject: none
} as const

export type AuditAction = keyof typeof AUDIT_ACTIONS

/** Appends one audit row (inside the caller's transaction when there is one). `actorKeyId` null means the local CLI. */
export function recordAudit(deps: Deps, input: { actorKeyId: string | null; action: AuditAction; subjectId: string | null; detail?: Record<string, unknown> }): AuditRow {
  return deps.db
    .insert(auditLogTable)
    .values({ actorKeyId: input.actorKeyId, action: input.action, subjectId: input.subjectId, detail: input.detail ?? null, createdAt: deps.clock.now() })
    .returning()
    .get()
}

/** Audit rows newest first, `limit` + 1 fetched so the caller can tell `has_more`; optional subject filter. */
export function listAudit(deps: Deps, opts: { after?: number; limit: number; subjectId?: string }): AuditRow[] {
  const where = and(opts.after !== undefined ? lt(auditLogTable.id, opts.after) : undefined, opts.subjectId ? eq(auditLogTable.subjectId, opts.subjectId) : undefined)
  return deps.db.select().from(auditLogTable).where(where).orderBy(desc(auditLogTable.id)).limit(opts.limit + 1).all()
}
