/**
 * `/v1/auth/session`: the web console's sign-in. POST exchanges an API key for the session cookie
 * (HttpOnly, SameSite=Strict, Path=/v1) and answers the CSRF token; GET answers the current
 * session (and its CSRF token again, for a reloaded page); DELETE signs out by clearing the cookie.
 */
import { Elysia } from 'elysia'
import { eq } from 'drizzle-orm'
import type { Deps } from '../../deps'
import { AppError } from '../../lib/errors'
import { toIso } from '../../lib/clock'
import { apiKeysTable, type ApiKeyRow } from './table'
import { verifyApiKey, type Principal } from './verify'
import { SESSION_ENDED, assertCsrf, verifySession } from './session-auth'
import { csrfTokenFor, sessionCookieOf, sessionSetCookie, signSessionToken, type SessionClaims } from './session-token'
import { SessionObject, SignedOutObject, SignInBody } from './session-models'

/** `/v1/auth/session`: console sign-in, mounted in http/routes.ts. */
export function sessionRoutes(deps: Deps) {
  return new Elysia({ prefix: '/v1/auth/session', tags: ['Accounts'] })
    .post(
      '',
      async ({ body, request, set }) => {
        const principal = verifyApiKey(deps, `Bearer ${body.api_key.trim()}`)
        const key = keyRow(deps, principal.keyId)
        const { token, claims } = await signSessionToken(deps, principal.keyId, key.expiresAt)
        set.headers['set-cookie'] = sessionSetCookie(token, claims.expiresAt - Math.floor(deps.clock.now() / 1000), isHttps(deps, request))
        set.headers['cache-control'] = 'no-store'
        return presentSession(deps, principal, key, claims)
      },
      {
        parse: parseJsonOnly,
        body: SignInBody,
        response: { 200: SessionObject },
        detail: {
          summary: 'Sign in to the web console',
          description:
            'Exchanges an API key for a console session: sets the `br_session` cookie (HttpOnly, SameSite=Strict, Path=/v1, 12 h) and answers the CSRF token that every cookie-authenticated POST, PUT, PATCH and DELETE must send as `x-csrf-token`. The body must be JSON (400 invalid_request otherwise, so a cross-site HTML form cannot sign a browser in). A bad key answers 401 like a bearer request. Revoking the key ends its sessions on their next request.',
          security: [],
        },
      },
    )
    .get(
      '',
      async ({ request, set }) => {
        const cookie = sessionCookieOf(request.headers.get('cookie'))
        if (cookie === null) throw new AppError('unauthorized', { message: SESSION_ENDED })
        set.headers['cache-control'] = 'no-store'
        try {
          const { principal, session } = await verifySession(deps, cookie)
          return presentSession(deps, principal, keyRow(deps, principal.keyId), session)
        } catch (err) {
          set.headers['set-cookie'] = sessionSetCookie('', 0, isHttps(deps, request))
          throw err
        }
      },
      {
        response: { 200: SessionObject },
        detail: { summary: 'Get the console session', description: 'The session of the `br_session` cookie, with its CSRF token (a reloaded console page asks here). 401 when there is no live session; the cookie is then cleared.', security: [] },
      },
    )
    .delete(
      '',
      async ({ request, set }) => {
        const cookie = sessionCookieOf(request.headers.get('cookie'))
        const live = cookie === null ? null : await verifySession(deps, cookie).catch(() => null)
        // A live session is only ended by its own page; a dead cookie is simply cleared.
        if (live) assertCsrf(deps, live.session, request)
        set.headers['set-cookie'] = sessionSetCookie('', 0, isHttps(deps, request))
        return { object: 'console_session' as const, signed_out: true as const }
      },
      {
        response: { 200: SignedOutObject },
        detail: { summary: 'Sign out of the web console', description: 'Clears the session cookie. With a live session the request must carry its `x-csrf-token` (403 otherwise); a missing or dead cookie is simply cleared.', security: [] },
      },
    )
}

function keyRow(deps: Deps, keyId: string): ApiKeyRow {
  const row = deps.db.select().from(apiKeysTable).where(eq(apiKeysTable.id, keyId)).get()
  if (!row) throw new AppError('unauthorized', { message: SESSION_ENDED })
  return row
}

/** The session as the page sees it: who is signed in, until when, and the CSRF token. */
function presentSession(deps: Deps, principal: Principal, key: ApiKeyRow, session: SessionClaims) {
  return {
    object: 'console_session' as const,
    role: principal.kind === 'admin' ? ('operator' as const) : ('customer' as const),
    key_id: key.id,
    key_name: key.name,
    key_start: key.start,
    org_id: principal.orgId,
    expires_at: toIso(session.expiresAt * 1000),
    csrf_token: csrfTokenFor(deps, session.sessionId),
  }
}

/** The cookie gets `Secure` when the console is reached over https (directly, via publicUrl, or a TLS proxy). */
function isHttps(deps: Deps, request: Request): boolean {
  return (deps.config.publicUrl ?? request.url).startsWith('https:') || request.headers.get('x-forwarded-proto') === 'https'
}

/** Sign-in accepts only a JSON body: a cross-site HTML form can send urlencoded or text/plain, never JSON. */
async function parseJsonOnly({ request }: { request: Request }): Promise<unknown> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== 'application/json') throw new AppError('invalid_request', { message: 'Send the sign-in body as JSON with Content-Type: application/json: {"api_key": "br_live_…"}.' })
  return await request.json()
}
