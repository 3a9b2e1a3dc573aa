/**
 * Console sessions (contract §10): a jose HS256 JWT (issuer, audience and algorithm pinned) that
 * names the API key it was opened with, carried in an HttpOnly, SameSite=Strict cookie scoped to
 * `/v1`; and the session's CSRF token, an HMAC of the session id that the page holds in memory
 * and sends back as a header. Nothing here is stored: the key row is the only server state, so
 * revoking the key ends its sessions.
 */
import { SignJWT, jwtVerify } from 'jose'
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Deps } from '../../deps'
import { randomBase62 } from '../../lib/ids'

/** The cookie's name and path: only the API under /v1 needs it (the page itself is static). */
export const SESSION_COOKIE = 'br_session'
export const SESSION_COOKIE_PATH = '/v1'
/** The header a cookie-authenticated POST, PUT, PATCH or DELETE must carry. */
export const CSRF_HEADER = 'x-csrf-token'
/** A session lasts this long (less when its key expires sooner). */
export const SESSION_TTL_S = 12 * 3600

const ISSUER = 'batchrouter'
const AUDIENCE = 'console-session'

export interface SessionClaims {
  /** The API key the session was opened with (re-checked on every request). */
  keyId: string
  /** Random per sign-in; the CSRF token is derived from it. */
  sessionId: string
  /** Unix seconds. */
  expiresAt: number
}

/** A fresh session token for `keyId`, valid SESSION_TTL_S or until `keyExpiresAtMs`, whichever is first. */
export async function signSessionToken(deps: Deps, keyId: string, keyExpiresAtMs: number | null): Promise<{ token: string; claims: SessionClaims }> {
  const nowS = Math.floor(deps.clock.now() / 1000)
  const keyLimitS = keyExpiresAtMs === null ? Infinity : Math.floor(keyExpiresAtMs / 1000)
  const claims: SessionClaims = { keyId, sessionId: randomBase62(24), expiresAt: Math.min(nowS + SESSION_TTL_S, keyLimitS) }
  const token = await new SignJWT({ sid: claims.sessionId })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(keyId)
    .setIssuedAt(nowS)
    .setExpirationTime(claims.expiresAt)
    .sign(deps.signingKey)
  return { token, claims }
}

/** The claims of a valid, unexpired session token; null for any defect (tampered, expired, another token kind). */
export async function readSessionToken(deps: Deps, token: string): Promise<SessionClaims | null> {
  try {
    const { payload } = await jwtVerify(token, deps.signingKey, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE, currentDate: new Date(deps.clock.now()) })
    if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || typeof payload.exp !== 'number') return null
    return { keyId: payload.sub, sessionId: payload.sid, expiresAt: payload.exp }
  } catch {
    return null
  }
}

/** The CSRF token of a session: base64url HMAC-SHA256 of its id under the router's signing key. */
export function csrfTokenFor(deps: Deps, sessionId: string): string {
  return createHmac('sha256', deps.signingKey).update(`console-csrf:${sessionId}`).digest('base64url')
}

/** Constant-time check of a presented CSRF token against the session's. */
export function isCsrfTokenValid(deps: Deps, sessionId: string, presented: string | null): boolean {
  if (!presented) return false
  const expected = Buffer.from(csrfTokenFor(deps, sessionId))
  const given = Buffer.from(presented)
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/** The value of the session cookie in a Cookie header, or null. */
export function sessionCookieOf(cookieHeader: string | null): string | null {
  for (const part of (cookieHeader ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim() || null
  }
  return null
}

/** A Set-Cookie value that stores `token` for `maxAgeS` seconds (0 clears it); `secure` when served over https. */
export function sessionSetCookie(token: string, maxAgeS: number, secure: boolean): string {
  const attrs = [`${SESSION_COOKIE}=${token}`, `Path=${SESSION_COOKIE_PATH}`, `Max-Age=${Math.max(0, maxAgeS)}`, 'HttpOnly', 'SameSite=Strict']
  if (secure) attrs.push('Secure')
  return attrs.join('; ')
}
