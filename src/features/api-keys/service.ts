/** Customer key management: mint, list and revoke the calling org's keys. */
import { and, desc, eq } from 'drizzle-orm'
import type { Deps } from '../../deps'
import { AppError, notFound } from '../../lib/errors'
import { apiKeysTable, type ApiKeyRow } from './table'
import { insertApiKey } from './store'

/** Default name of a key created without one. */
export const DEFAULT_KEY_NAME = 'unnamed'

/** Parses an ISO-8601 expiry that must lie in the future; throws 400 validation_failed otherwise. */
export function parseKeyExpiry(deps: Deps, expiresAt: string | undefined): number | null {
  if (expiresAt === undefined) return null
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(expiresAt) ? Date.parse(expiresAt) : NaN
  if (Number.isNaN(ms)) throw new AppError('validation_failed', { message: "expires_at must be an ISO-8601 date-time such as '2027-01-01T00:00:00Z'.", param: 'expires_at' })
  if (ms <= deps.clock.now()) throw new AppError('validation_failed', { message: 'expires_at must be in the future.', param: 'expires_at' })
  return ms
}

/** Mints a new `br_live_` key for `orgId`; the secret is in the result and nowhere else. */
export function createOrgKey(deps: Deps, orgId: string, input: { name?: string; expiresAt?: string }): ApiKeyRow & { secret: string } {
  const expiresAt = parseKeyExpiry(deps, input.expiresAt)
  return insertApiKey(deps, { orgId, kind: 'live', name: input.name ?? DEFAULT_KEY_NAME, expiresAt })
}

/** Every key of the org, revoked and expired ones included, newest first. */
export function listOrgKeys(deps: Deps, orgId: string): ApiKeyRow[] {
  return deps.db.select().from(apiKeysTable).where(eq(apiKeysTable.orgId, orgId)).orderBy(desc(apiKeysTable.createdAt), desc(apiKeysTable.id)).all()
}

/** One key of the org; another org's key, an admin key or an unknown id throw 404. */
export function getOrgKey(deps: Deps, orgId: string, keyId: string): ApiKeyRow {
  const row = deps.db.select().from(apiKeysTable).where(and(eq(apiKeysTable.id, keyId), eq(apiKeysTable.orgId, orgId))).get()
  if (!row) throw notFound('API key', keyId)
  return row
}

/**
 * Revokes one of the org's keys (the calling key included); every later request with it answers
 * 401. Idempotent: an already revoked key keeps its first `revoked_at`.
 */
export function revokeOrgKey(deps: Deps, orgId: string, keyId: string): ApiKeyRow {
  const row = getOrgKey(deps, orgId, keyId)
  if (row.revokedAt !== null) return row
  const revokedAt = deps.clock.now()
  deps.db.update(apiKeysTable).set({ revokedAt }).where(and(eq(apiKeysTable.id, keyId), eq(apiKeysTable.orgId, orgId))).run()
  return { ...row, revokedAt }
}
