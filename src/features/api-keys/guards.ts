/**
 * Auth plugins. `customerAuth` derives `auth: {keyId, orgId}` for org routes; `adminAuth` for
 * operator routes (a customer key there answers 403). The HTTP edge authenticates every guarded
 * route from its headers before any body byte is read (`guardKindOf` tells it which routes those
 * are) and hands the principal over with `rememberPrincipal`; the derive re-checks it.
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

/** Which key a guarded route needs. */
export type GuardKind = 'customer' | 'admin'

const guardKinds = new WeakMap<Function, GuardKind>()
const principals = new WeakMap<Request, Principal>()

/** The kind of key a route hook function demands, when it is one of these guards' derives. */
export function guardKindOf(fn: unknown): GuardKind | undefined {
  return typeof fn === 'function' ? guardKinds.get(fn) : undefined
}

/** Records the principal the edge already verified for `request`, so the guard does not look it up again. */
export function rememberPrincipal(request: Request, principal: Principal): void {
  principals.set(request, principal)
}

/** Throws 403 forbidden unless `principal` is the kind of key `kind` routes need. */
export function assertPrincipalKind(principal: Principal, kind: GuardKind): void {
  if (kind === 'customer' && (principal.kind !== 'live' || !principal.orgId)) {
    throw new AppError('forbidden', { message: 'This route needs a customer key (br_live_…), not an operator key.' })
  }
  if (kind === 'admin' && principal.kind !== 'admin') {
    throw new AppError('forbidden', { message: 'Operator routes need an admin key (br_admin_…), created with `batchrouter admin create-key`.' })
  }
}

function principalOf(deps: Deps, request: Request): Principal {
  return principals.get(request) ?? verifyApiKey(deps, request.headers.get('authorization'))
}

/** Derives `auth: {keyId, orgId}`; 401 without a valid key, 403 for an operator key. */
export function customerAuth(deps: Deps) {
  const derive = ({ request }: { request: Request }): { auth: CustomerAuth } => {
    const principal = principalOf(deps, request)
    assertPrincipalKind(principal, 'customer')
    return { auth: { keyId: principal.keyId, orgId: principal.orgId! } }
  }
  guardKinds.set(derive, 'customer')
  return new Elysia().derive({ as: 'scoped' }, derive)
}

/** Derives `admin: {keyId}`; 401 without a valid key, 403 for a customer key. */
export function adminAuth(deps: Deps) {
  const derive = ({ request }: { request: Request }): { admin: { keyId: string } } => {
    const principal = principalOf(deps, request)
    assertPrincipalKind(principal, 'admin')
    return { admin: { keyId: principal.keyId } }
  }
  guardKinds.set(derive, 'admin')
  return new Elysia().derive({ as: 'scoped' }, derive)
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
