/**
 * Operator key management (the CLI's `keys create|ls|revoke`): customer keys of any org and
 * admin keys. Every change is audited in the same transaction; secrets are returned once.
 */
import { and, desc, eq, isNull, type SQL } from 'drizzle-orm'
import type { Deps } from '../../deps'
import { writeTx } from '../../db/tx'
import { notFound } from '../../lib/errors'
import { getOrg } from '../accounts'
import { apiKeysTable, insertApiKey, type ApiKeyRow } from '../api-keys'
import { recordAudit } from '../audit'

/** Mints a key: a customer key of `orgId` (404 for an unknown org), or an admin key when `orgId` is null. */
export function createKeyAsOperator(deps: Deps, actorKeyId: string | null, input: { orgId: string | null; name: string; expiresAt?: number | null }): ApiKeyRow & { secret: string } {
  return writeTx(deps.db, () => {
    if (input.orgId !== null) getOrg(deps, input.orgId)
    const key = insertApiKey(deps, { orgId: input.orgId, kind: input.orgId === null ? 'admin' : 'live', name: input.name, expiresAt: input.expiresAt ?? null })
    const action = input.orgId === null ? 'admin_key.create' : 'key.create'
    recordAudit(deps, { actorKeyId, action, subjectId: key.id, detail: { name: input.name, org_id: input.orgId } })
    return key
  })
}

/** Keys newest first: one org's, only admin keys (`orgId` null), or all (`orgId` undefined). */
export function listKeysAsOperator(deps: Deps, opts: { orgId?: string | null; limit: number }): ApiKeyRow[] {
  let where: SQL | undefined
  if (opts.orgId === null) where = isNull(apiKeysTable.orgId)
  else if (opts.orgId !== undefined) where = eq(apiKeysTable.orgId, opts.orgId)
  return deps.db.select().from(apiKeysTable).where(where).orderBy(desc(apiKeysTable.createdAt), desc(apiKeysTable.id)).limit(opts.limit).all()
}

/** Revokes any key by id (404 when unknown); idempotent — an already revoked key is returned unchanged, unaudited. */
export function revokeKeyAsOperator(deps: Deps, actorKeyId: string | null, keyId: string): ApiKeyRow {
  return writeTx(deps.db, () => {
    const row = deps.db.select().from(apiKeysTable).where(eq(apiKeysTable.id, keyId)).get()
    if (!row) throw notFound('API key', keyId)
    if (row.revokedAt !== null) return row
    const revokedAt = deps.clock.now()
    deps.db.update(apiKeysTable).set({ revokedAt }).where(and(eq(apiKeysTable.id, keyId), isNull(apiKeysTable.revokedAt))).run()
    recordAudit(deps, { actorKeyId, action: 'key.revoke', subjectId: keyId, detail: { org_id: row.orgId, kind: row.kind } })
    return { ...row, revokedAt }
  })
}
