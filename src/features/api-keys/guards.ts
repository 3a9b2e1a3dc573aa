/**
 * Auth plugins. `customerAuth` derives `auth: {keyId, orgId}` for org routes; `adminAuth` for
 * operator routes (a customer key there answers 403). The HTTP edge authenticates every guarded
 * route from its headers before any body byte is read (`guardKindOf` tells it which routes those
 * are) and hands the principal over with `rememberPrincipal`. Both take a bearer key or a console
 * session cookie with its CSRF header (session-auth.ts).
 */
import { Elysia } from 'elysia'
import type { Deps } from '../../deps'
import { AppError } from '../../lib/errors'
import { authenticateRequest } from './session-auth'
import type { Principal } from './verify'

export interface CustomerAuth {
  keyId: string
  orgId: string
}

/** Which key a guarded route needs: a customer key, an admin key, or an edge node's token (features/fleet). */
export type GuardKind = 'customer' | 'admin' | 'node'

const guardKinds = new WeakMap<Function, GuardKind>()
const principals = new WeakMap<Request, Principal>()

/** The kind of key a route hook function demands, when it is one of these guards' derives. */
export function guardKindOf(fn: unknown): GuardKind | undefined {
  return typeof fn === 'function' ? guardKinds.get(fn) : undefined
}

/** Marks `fn` as the derive of a guard of `kind` (a guard defined in another feature, e.g. the fleet's node guard). */
export function markGuard(fn: Function, kind: GuardKind): void {
  guardKinds.set(fn, kind)
}

/** The principal the edge verified for `request`, if it did. */
export function rememberedPrincipal(request: Request): Principal | undefined {
  return principals.get(request)
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
  if (kind === 'node' && principal.kind !== 'node') {
    throw new AppError('forbidden', { message: 'Fleet node routes need a node token (from POST /v1/fleet/join), not an API key.' })
  }
}

/** The principal the edge verified, else the request's own bearer key or session (a test app's route called without the edge). */
async function principalOf(deps: Deps, request: Request): Promise<Principal> {
  return principals.get(request) ?? authenticateRequest(deps, request)
}

/** Derives `auth: {keyId, orgId}`; 401 without a valid key, 403 for an operator key. */
export function customerAuth(deps: Deps) {
  const derive = async ({ request }: { request: Request }): Promise<{ auth: CustomerAuth }> => {
    const principal = await principalOf(deps, request)
    assertPrincipalKind(principal, 'customer')
    return { auth: { keyId: principal.keyId, orgId: principal.orgId! } }
  }
  guardKinds.set(derive, 'customer')
  return new Elysia().derive({ as: 'scoped' }, derive)
}

/** Derives `admin: {keyId}`; 401 without a valid key, 403 for a customer key. */
export function adminAuth(deps: Deps) {
  const derive = async ({ request }: { request: Request }): Promise<{ admin: { keyId: string } }> => {
    const principal = await principalOf(deps, request)
    assertPrincipalKind(principal, 'admin')
    return { admin: { keyId: principal.keyId } }
  }
  guardKinds.set(derive, 'admin')
  return new Elysia().derive({ as: 'scoped' }, derive)
}
