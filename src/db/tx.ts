/**
 * Synchronous write transactions. bun:sqlite commits early when a callback awaits, so the
 * callback type refuses a Promise: I/O happens before or after, never inside.
 */
import type { Db } from './client'

type NotPromise<T> = T extends Promise<unknown> ? never : T

/** Runs `fn` in a BEGIN IMMEDIATE transaction (the write lock is taken up front). */
export function writeTx<T>(db: Db, fn: () => NotPromise<T>): T {
  return db.$client.transaction(fn).immediate()
}
