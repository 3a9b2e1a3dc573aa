/** Key rows → API objects. The secret appears only in `presentNewKey`, once; the hash never. */
import { toIso } from '../../lib/clock'
import type { ApiKeyRow } from './table'

const isoOrNull = (ms: number | null) => (ms === null ? null : toIso(ms))

/** The listing shape: `{id, object, name, start, created_at, expires_at, last_used_at, revoked_at}`. */
export function presentApiKey(row: ApiKeyRow) {
  return {
    id: row.id,
    object: 'api_key' as const,
    name: row.name,
    start: row.start,
    created_at: toIso(row.createdAt),
    expires_at: isoOrNull(row.expiresAt),
    last_used_at: isoOrNull(row.lastUsedAt),
    revoked_at: isoOrNull(row.revokedAt),
  }
}

/**
 * The creation answer, the only place the secret is ever returned. `id` and `object` match the
 * listing; `api_key_id` (the same id) stays for clients written against the first release.
 */
export function presentNewKey(row: ApiKeyRow & { secret: string }) {
  return { id: row.id, object: 'api_key' as const, api_key: row.secret, api_key_id: row.id, name: row.name, start: row.start, created_at: toIso(row.createdAt), expires_at: isoOrNull(row.expiresAt) }
}
