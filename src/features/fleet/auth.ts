/**
 * Node authentication: `Authorization: Bearer <node token>` — a JWT signed by this router for
 * `aud` batchrouter-fleet whose `jti` is the node row's current (or, until it expires, previous)
 * credential and whose node is not revoked. One 401 message for every failure; an API key sent
 * to a node route is 403 (it is a key, just not the right kind).
 */
import { Elysia } from 'elysia'
import type { Deps } from '../../deps'
import { AppError } from '../../lib/errors'
import { assertPrincipalKind, markGuard, rememberedPrincipal, type Principal } from '../api-keys/index'
import { nodeAuthView, type AuthView } from './statements'
import { NODE_AUDIENCE, verifyFleetToken } from './tokens'

const UNAUTHORIZED = 'Missing or invalid node token: send Authorization: Bearer <node_token> from POST /v1/fleet/join (or the last heartbeat); a revoked node must join again with a new join token.'

/** The node a bearer node token names when it is valid now, else throws 401 (403 for an API key). */
export async function authenticateNode(deps: Deps, request: Request): Promise<Principal> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '')
  const token = match?.[1]
  if (token && /^(br_live_|ob_live_|br_admin_)/.test(token)) assertPrincipalKind({ keyId: '', kind: token.startsWith('br_admin_') ? 'admin' : 'live', orgId: null }, 'node')
  const claims = token ? await verifyFleetToken(deps, NODE_AUDIENCE, token) : null
  const node = claims?.sub ? nodeAuthView(deps.db, claims.sub) : null
  if (!claims || !node || !acceptsJti(node, claims.jti, deps.clock.now())) throw new AppError('unauthorized', { message: UNAUTHORIZED })
  return { keyId: node.id, kind: 'node', orgId: null }
}

function acceptsJti(node: AuthView, jti: string, now: number): boolean {
  if (node.status === 'revoked' || node.tokenJti === null) return false
  return jti === node.tokenJti || (jti === node.previousJti && (node.previousJtiUntil ?? 0) > now)
}

/** Derives `node: {id}` for the node routes; 401 without a valid node token, 403 for an API key. */
export function nodeAuth(deps: Deps) {
  const derive = async ({ request }: { request: Request }): Promise<{ node: { id: string } }> => {
    const principal = rememberedPrincipal(request) ?? (await authenticateNode(deps, request))
    assertPrincipalKind(principal, 'node')
    return { node: { id: principal.keyId } }
  }
  markGuard(derive, 'node')
  return new Elysia().derive({ as: 'scoped' }, derive)
}
