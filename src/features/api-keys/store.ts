/** Writing key records. The secret is returned to the caller once and never stored. */
import type { Deps } from '../../deps'
import { newId } from '../../lib/ids'
import { apiKeysTable, type ApiKeyRow } from './table'
import { generateKeySecret, hashKey, keyStart } from './keys'

/** Inserts a new key (inside the caller's transaction when there is one) and returns its secret. */
export function insertApiKey(deps: Deps, input: { orgId: string | null; kind: 'live' | 'admin'; name: string; expiresAt?: number | null }): ApiKeyRow & { secret: string } {
  const secret = generateKeySecret(input.kind)
  const row: ApiKeyRow = { id: newId('key'), orgId: input.orgId, kind: input.kind, name: input.name, hash: hashKey(secret), start: keyStart(secret), createdAt: deps.clock.now(), expiresAt: input.expiresAt ?? null, lastUsedAt: null, revokedAt: null }
  deps.db.insert(apiKeysTable).values(row).run()
  return { ...row, secret }
}
