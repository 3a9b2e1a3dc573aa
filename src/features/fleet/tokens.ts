/**
 * The fleet's credentials (contract §11): join tokens and node tokens are JWTs signed by the
 * router with an ES256 key of its own, generated once into `<data-dir>/fleet-signing.jwk` (0600).
 * Join tokens carry `aud` `batchrouter-fleet-join`, node tokens `aud` `batchrouter-fleet` with the
 * node id as `sub`; both carry a `jti` the router checks against its rows, so a revoke takes
 * effect on the next request whatever the token's `exp` says.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type CryptoKey, type JWK } from 'jose'
import type { Deps } from '../../deps'

export const NODE_AUDIENCE = 'batchrouter-fleet'
export const JOIN_AUDIENCE = 'batchrouter-fleet-join'
const ALG = 'ES256'

interface KeyPair {
  privateKey: CryptoKey
  publicKey: CryptoKey
}

const keys = new Map<string, Promise<KeyPair>>()

/** The router's fleet key pair, created on first use and kept in the data dir (a restart keeps every credential valid). */
function keyPair(deps: Deps): Promise<KeyPair> {
  const path = join(deps.paths.dataDir, 'fleet-signing.jwk')
  let pair = keys.get(path)
  if (!pair) keys.set(path, (pair = loadOrCreate(path)))
  return pair
}

async function loadOrCreate(path: string): Promise<KeyPair> {
  if (!existsSync(path)) {
    const { privateKey } = await generateKeyPair(ALG, { extractable: true })
    try {
      writeFileSync(path, JSON.stringify(await exportJWK(privateKey)), { mode: 0o600, flag: 'wx' })
    } catch (err) {
      // The server and a CLI command beside it may both create it first: the one written wins.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
  }
  const jwk = JSON.parse(readFileSync(path, 'utf8')) as JWK
  const { d: _private, ...publicJwk } = jwk
  return { privateKey: (await importJWK(jwk, ALG)) as CryptoKey, publicKey: (await importJWK(publicJwk, ALG)) as CryptoKey }
}

/** Signs `claims` for `audience` with the router's fleet key; `expiresAt` in ms. */
export async function signFleetToken(deps: Deps, audience: string, claims: { jti: string; sub?: string; extra?: Record<string, unknown>; expiresAt: number }): Promise<string> {
  const { privateKey } = await keyPair(deps)
  const jwt = new SignJWT({ ...claims.extra }).setProtectedHeader({ alg: ALG }).setAudience(audience).setJti(claims.jti).setIssuedAt(Math.floor(deps.clock.now() / 1000)).setExpirationTime(Math.floor(claims.expiresAt / 1000))
  if (claims.sub) jwt.setSubject(claims.sub)
  return jwt.sign(privateKey)
}

/** The verified claims of a fleet token for `audience` on the app's clock, or null (forged, other audience, expired, malformed). */
export async function verifyFleetToken(deps: Deps, audience: string, token: string): Promise<{ jti: string; sub?: string; [k: string]: unknown } | null> {
  if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) return null
  try {
    const { publicKey } = await keyPair(deps)
    const { payload } = await jwtVerify(token, publicKey, { audience, algorithms: [ALG], currentDate: new Date(deps.clock.now()) })
    return typeof payload.jti === 'string' ? (payload as { jti: string; sub?: string }) : null
  } catch {
    return null
  }
}
