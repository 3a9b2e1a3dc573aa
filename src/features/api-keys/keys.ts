/** Key material: generation, format checks and hashing. Pure apart from randomness. */
import { randomBase62 } from '../../lib/ids'
import { sha256Hex } from '../../lib/crypto'

/** Prefixes a bearer secret may carry; `ob_live_` is the legacy customer prefix. */
export const KEY_PREFIXES = { live: 'br_live_', legacy: 'ob_live_', admin: 'br_admin_' } as const

const KEY_PATTERN = /^(br_live_|ob_live_|br_admin_)[0-9A-Za-z]{32,128}$/

/** A fresh secret of the given kind: prefix + 40 random base62 characters. */
export function generateKeySecret(kind: 'live' | 'admin'): string {
  return (kind === 'admin' ? KEY_PREFIXES.admin : KEY_PREFIXES.live) + randomBase62(40)
}

/** The kind a well-formed secret claims, or null when it is not one of ours. */
export function keyKindOf(secret: string): 'live' | 'admin' | null {
  if (!KEY_PATTERN.test(secret)) return null
  return secret.startsWith(KEY_PREFIXES.admin) ? 'admin' : 'live'
}

/** What is stored: the SHA-256 of the whole secret. */
export function hashKey(secret: string): string {
  return sha256Hex(secret)
}

/** The short visible part shown in listings: prefix plus four characters. */
export function keyStart(secret: string): string {
  const prefix = secret.startsWith(KEY_PREFIXES.admin) ? KEY_PREFIXES.admin : secret.slice(0, 8)
  return secret.slice(0, prefix.length + 4)
}
