/**
 * Auth plugins. `customerAuth` derives `auth: {keyId, orgId}` for org routes; `adminAuth` for
 * operator routes (a customer key there answers 403). Derive runs before body validation, so an
 * unauthenticated request is told 401 before anything about its body. Both resolve the bearer
 * secret with `verifyApiKey` (below).
 */
import { eq } from 'drizzle-orm'
import { Elysia } from 'elysia'
import type { Deps } from '../../deps'
import { AppError } from '../../lib/errors'
import { apiKeysTable } from './table'
import { hashKey, keyKindOf } from './keys'

export interface CustomerAuth {
  keyId: string
  orgId: string
}

export function customerAuth(deps: Deps) {
  return new Elysia().derive({ as: 'scoped' }, ({ request }): { auth: CustomerAuth } => {
    const principal = verifyApiKey(deps, request.headers.get('authorization'))
    if (principal.kind !== 'live' || !principal.orgId) {
      throw new AppError('forbidden', { message: 'This route needs a customer key (br_live_…), not an operator key.' })
    }
    return { auth: { keyId: principal.keyId, orgId: principal.orgId } }
  })
}

export function adminAuth(deps: Deps) {
  return new Elysia().derive({ as: 'scoped' }, ({ request }): { admin: { keyId: string } } => {
    const principal = verifyApiKey(deps, request.headers.get('authorization'))
    if (principal.kind !== 'admin') {
      throw new AppError('forbidden', { message: 'Operator routes need an admin key (br_admin_…), created with `batchrouter admin create-key`.' })
    }
    return { admin: { keyId: principal.keyId } }
  })
}

// ---- Resolves a bearer secret to its key record; one message for every kind of failure. */

export interface Principal {
  keyId: string
  kind: 'live' | 'admin'
  /** The org of a customer key; null for admin keys. */
  orgId: string | null
}

const UNAUTHORIZED = 'Missing or invalid API key: send Authorization: Bearer br_live_… with an active key.'
/** last_used_at is refreshed at most this often, so reads do not each cost a synced write. */
const LAST_USED_GRANULARITY_MS = 60_000

/** Verifies `Authorization: Bearer <secret>`; throws 401 unauthorized for any failure. */
export function verifyApiKey(deps: Deps, authorization: string | null): Principal {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')
  const secret = match?.[1]
  if (!secret || !keyKindOf(secret)) throw new AppError('unauthorized', { message: UNAUTHORIZED })
  const row = deps.db.select().from(apiKeysTable).where(eq(apiKeysTable.hash, hashKey(secret))).get()
  const now = deps.clock.now()
  if (!row || row.revokedAt !== null || (row.expiresAt !== null && row.expiresAt <= now)) {
    throw new AppError('unauthorized', { message: UNAUTHORIZED })
  }
  if (row.lastUsedAt === null || now - row.lastUsedAt > LAST_USED_GRANULARITY_MS) {
    deps.db.update(apiKeysTable).set({ lastUsedAt: now }).where(eq(apiKeysTable.id, row.id)).run()
  }
  return { keyId: row.id, kind: row.kind, orgId: row.orgId }
}
