/**
 * Who is calling: the bearer key when an Authorization header is sent, else the console session
 * cookie. A cookie-authenticated POST, PUT, PATCH or DELETE must also carry the session's CSRF
 * token in `x-csrf-token` (403 forbidden otherwise); a bad, expired or ended session is 401.
 */
import type { Deps } from '../../deps'
import { AppError } from '../../lib/errors'
import { verifyApiKey, verifyKeyId, type Principal } from './verify'
import { CSRF_HEADER, isCsrfTokenValid, readSessionToken, sessionCookieOf, type SessionClaims } from './session-token'

/** The 401 message for a console session that is missing, tampered, expired, or whose key was revoked. */
export const SESSION_ENDED = 'Your console session has ended (signed out, expired, or its API key was revoked or expired): sign in again with an active key.'
const CSRF_REFUSED = `This request uses the console session cookie, so it must carry the session's CSRF token in the ${CSRF_HEADER} header (GET /v1/auth/session returns it).`
/** Methods that change nothing, so need no CSRF token. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** The principal of a request (bearer key first, then session cookie); throws 401 or, for a missing CSRF token, 403. */
export async function authenticateRequest(deps: Deps, request: Request): Promise<Principal> {
  const authorization = request.headers.get('authorization')
  const cookie = authorization === null ? sessionCookieOf(request.headers.get('cookie')) : null
  if (cookie === null) return verifyApiKey(deps, authorization)
  const { principal, session } = await verifySession(deps, cookie)
  if (!SAFE_METHODS.has(request.method)) assertCsrf(deps, session, request)
  return principal
}

/** A session cookie's claims and the key's principal, the key re-checked now; throws 401 SESSION_ENDED. */
export async function verifySession(deps: Deps, cookie: string): Promise<{ principal: Principal; session: SessionClaims }> {
  const session = await readSessionToken(deps, cookie)
  if (!session) throw new AppError('unauthorized', { message: SESSION_ENDED })
  return { principal: verifyKeyId(deps, session.keyId, SESSION_ENDED), session }
}

/** Throws 403 unless a cookie-authenticated state change carries the session's CSRF token. */
export function assertCsrf(deps: Deps, session: SessionClaims, request: Request): void {
  if (!isCsrfTokenValid(deps, session.sessionId, request.headers.get(CSRF_HEADER))) throw new AppError('forbidden', { message: CSRF_REFUSED })
}
