/**
 * Auth plugins. `customerAuth` derives `auth: {keyId, orgId}` for org routes; `adminAuth` for
 * operator routes (a customer key there answers 403). Both take a bearer key or a console session
 * cookie with its CSRF header (session-auth.ts). Derive runs before body validation, so an
 * unauthenticated request is told 401 before anything about its body.
 */
import { Elysia } from 'elysia'
import type { Deps } from '../../deps'
import { AppError } from '../../lib/errors'
import { authenticateRequest } from './session-auth'

export interface CustomerAuth {
  keyId: string
  orgId: string
}

export function customerAuth(deps: Deps) {
  return new Elysia().derive({ as: 'scoped' }, async ({ request }): Promise<{ auth: CustomerAuth }> => {
    const principal = await authenticateRequest(deps, request)
    if (principal.kind !== 'live' || !principal.orgId) {
      throw new AppError('forbidden', { message: 'This route needs a customer key (br_live_…), not an operator key.' })
    }
    return { auth: { keyId: principal.keyId, orgId: principal.orgId } }
  })
}

export function adminAuth(deps: Deps) {
  return new Elysia().derive({ as: 'scoped' }, async ({ request }): Promise<{ admin: { keyId: string } }> => {
    const principal = await authenticateRequest(deps, request)
    if (principal.kind !== 'admin') {
      throw new AppError('forbidden', { message: 'Operator routes need an admin key (br_admin_…), created with `batchrouter admin create-key`.' })
    }
    return { admin: { keyId: principal.keyId } }
  })
}
