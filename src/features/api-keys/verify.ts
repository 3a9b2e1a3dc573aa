/** Resolves a bearer secret (or the key id a console session names) to its key record; one message for every kind of failure. */
import { eq, sql } from 'drizzle-orm'
import type { Deps } from '../../deps'
import type { Db } from '../../db/client'
import { AppError } from '../../lib/errors'
import { apiKeysTable, type ApiKeyRow } from './table'
import { hashKey, keyKindOf } from './keys'

export interface Principal {
  keyId: string
  /** `node`: an edge node's credential (features/fleet), accepted only on the node routes. */
  kind: 'live' | 'admin' | 'node'
  /** The org of a customer key; null for admin keys and nodes. */
  orgId: string | null
}

const UNAUTHORIZED = 'Missing or invalid API key: send Authorization: Bearer br_live_… with an active key.'
/** last_used_at is refreshed at most this often, so reads do not each cost a synced write. */
const LAST_USED_GRANULARITY_MS = 60_000

/** Per database: the key-by-hash read, prepared once (every authenticated request runs it; building and preparing it was most of a small GET's cost). */
const keyByHashStatements = new WeakMap<Db, { get(v: { hash: string }): ApiKeyRow | undefined }>()

function keyByHash(deps: Deps, hash: string): ApiKeyRow | undefined {
  let statement = keyByHashStatements.get(deps.db)
  if (!statement) {
    statement = deps.db.select().from(apiKeysTable).where(eq(apiKeysTable.hash, sql.placeholder('hash'))).prepare()
    keyByHashStatements.set(deps.db, statement)
  }
  return statement.get({ hash })
}

/** Verifies `Authorization: Bearer <secret>`; throws 401 unauthorized for any failure. */
export function verifyApiKey(deps: Deps, authorization: string | null): Principal {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')
  const secret = match?.[1]
  if (!secret || !keyKindOf(secret)) throw new AppError('unauthorized', { message: UNAUTHORIZED })
  return principalOf(deps, keyByHash(deps, hashKey(secret)), UNAUTHORIZED)
}

/**
 * The key a console session was opened with, checked again on every request: a revoked or
 * expired key ends its sessions at once. Throws 401 unauthorized with `message` otherwise.
 */
export function verifyKeyId(deps: Deps, keyId: string, message: string): Principal {
  const row = deps.db.select().from(apiKeysTable).where(eq(apiKeysTable.id, keyId)).get()
  return principalOf(deps, row, message)
}

function principalOf(deps: Deps, row: ApiKeyRow | undefined, message: string): Principal {
  const now = deps.clock.now()
  if (!row || row.revokedAt !== null || (row.expiresAt !== null && row.expiresAt <= now)) {
    throw new AppError('unauthorized', { message })
  }
  if (row.lastUsedAt === null || now - row.lastUsedAt > LAST_USED_GRANULARITY_MS) {
    deps.db.update(apiKeysTable).set({ lastUsedAt: now }).where(eq(apiKeysTable.id, row.id)).run()
  }
  return { keyId: row.id, kind: row.kind, orgId: row.orgId }
}
