/**
 * In-memory signals of one router (per database): a generation number that moves whenever the
 * set of online nodes or what they serve changes (the edge lanes are rebuilt from the rows then,
 * not on every catalog read), and the long polls of nodes waiting for work, woken when work may
 * have appeared (a dispatch-items pass: items routed, re-queued or rescued) — a condition, never a
 * busy loop. Everything durable is in SQLite; this only saves reads and wakes waiters.
 */
import type { Db } from '../../db/client'

interface Signals {
  generation: number
  waiters: Set<() => void>
}

const perDb = new WeakMap<Db, Signals>()

function signalsOf(db: Db): Signals {
  let s = perDb.get(db)
  if (!s) perDb.set(db, (s = { generation: 0, waiters: new Set() }))
  return s
}

/** The current fleet generation (moves on every change to online nodes or their offerings). */
export function fleetGeneration(db: Db): number {
  return signalsOf(db).generation
}

/** Nodes or their offerings changed: edge lanes are rebuilt on the next catalog read, and waiting nodes look again. */
export function fleetChanged(db: Db): void {
  signalsOf(db).generation++
  wakeLeaseWaiters(db)
}

/** Wakes every node waiting in a long poll so that it looks for work again. */
export function wakeLeaseWaiters(db: Db): void {
  const s = signalsOf(db)
  if (s.waiters.size === 0) return
  const waiters = [...s.waiters]
  s.waiters.clear()
  for (const wake of waiters) wake()
}

/** Resolves when woken or after `ms` (wall time: a long poll is a network wait, not a scheduled deadline). */
export function waitForWork(db: Db, ms: number): Promise<void> {
  const s = signalsOf(db)
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      s.waiters.delete(done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    s.waiters.add(done)
  })
}
