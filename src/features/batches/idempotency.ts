/**
 * Idempotent batch creation. A key is claimed in its own short transaction before any work, so a
 * concurrent request with the same key sees `in_flight` (409) instead of creating a second batch.
 */
import { and, eq } from 'drizzle-orm'
import type { Deps } from '../../deps'
import { writeTx } from '../../db/tx'
import { AppError } from '../../lib/errors'
import { idempotencyTable } from './table'

export type IdempotencyClaim = { kind: 'new' } | { kind: 'replay'; batchId: string }

/**
 * Claims `key` for this request. Same key + same body → replay of the original batch; same key +
 * other body → 409 idempotency_key_reused; still in flight → 409 idempotency_key_in_use.
 * `windowMs` (OpenAI-shape fingerprints) lets an old record lapse so the same body can run again.
 */
export function claimIdempotencyKey(deps: Deps, orgId: string, key: string, requestHash: string, windowMs?: number): IdempotencyClaim {
  return writeTx(deps.db, (): IdempotencyClaim => {
    const where = and(eq(idempotencyTable.orgId, orgId), eq(idempotencyTable.key, key))
    const existing = deps.db.select().from(idempotencyTable).where(where).get()
    const now = deps.clock.now()
    if (existing && windowMs !== undefined && existing.state === 'done' && now - existing.createdAt > windowMs) {
      deps.db.delete(idempotencyTable).where(where).run()
    } else if (existing) {
      if (existing.requestHash !== requestHash) {
        throw new AppError('idempotency_key_reused', { message: 'This Idempotency-Key was already used with a different request body; use a new key for a new batch.' })
      }
      if (existing.state === 'in_flight' || !existing.batchId) {
        throw new AppError('idempotency_key_in_use', { message: 'A request with this Idempotency-Key is still being processed; retry in a moment.' })
      }
      return { kind: 'replay', batchId: existing.batchId }
    }
    deps.db.insert(idempotencyTable).values({ orgId, key, requestHash, state: 'in_flight', batchId: null, createdAt: now }).run()
    return { kind: 'new' }
  })
}

/** Marks the key done with its batch; call inside the transaction that makes the batch visible. */
export function completeIdempotencyKeyInTx(deps: Deps, orgId: string, key: string, batchId: string): void {
  deps.db.update(idempotencyTable).set({ state: 'done', batchId }).where(and(eq(idempotencyTable.orgId, orgId), eq(idempotencyTable.key, key))).run()
}

/** Forgets a claim whose request failed, so the client can retry with the same key. */
export function releaseIdempotencyKey(deps: Deps, orgId: string, key: string): void {
  deps.db.delete(idempotencyTable).where(and(eq(idempotencyTable.orgId, orgId), eq(idempotencyTable.key, key), eq(idempotencyTable.state, 'in_flight'))).run()
}

/** Validates the native Idempotency-Key header: required, 8–128 printable characters. */
export function checkIdempotencyHeader(value: string | null): string {
  if (!value) throw new AppError('invalid_idempotency_key', { message: 'POST /v1/batches needs an Idempotency-Key header (8–128 characters, e.g. a UUID) so retries never create a second batch.', param: 'Idempotency-Key' })
  if (value.length < 8 || value.length > 128 || !/^[\x21-\x7e]+$/.test(value)) {
    throw new AppError('invalid_idempotency_key', { message: 'Idempotency-Key must be 8–128 printable ASCII characters without spaces (a UUID works well).', param: 'Idempotency-Key' })
  }
  return value
}
