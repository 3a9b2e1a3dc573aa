/**
 * One appliance per data directory. Two copies started by mistake on the same data dir would
 * both dispatch the same items; the second refuses to start, naming the first one's pid.
 *
 * The lock is an exclusive SQLite lock (a POSIX record lock) on `router.lock`, held for the
 * process's life: the kernel drops it the moment the holder dies — kill -9 included, before its
 * parent reaps it — and a recycled pid cannot hold it. `router.pid` only names the holder.
 */
import { Database } from 'bun:sqlite'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export class InstanceLockedError extends Error {}

/** The listen address is taken (another batchrouter, or another program): refused, never shared. */
export class PortInUseError extends Error {}

/** How long a lock whose recorded holder is already dead may take the kernel to release. */
const RELEASE_GRACE_MS = 1000

/** The pid file of a data dir (`router.pid`: the pid alone, so `kill $(cat router.pid)` works). */
export function pidPath(dataDir: string): string {
  return join(dataDir, 'router.pid')
}

/** True while `pid` is a running process (a zombie awaiting its parent is not). */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
    return state !== 'Z' && state !== 'X'
  } catch {
    return true // no /proc (not Linux): kill(pid, 0) is all we know
  }
}

function recordedPid(dataDir: string): number | null {
  try {
    const pid = Number(readFileSync(pidPath(dataDir), 'utf8').trim())
    return Number.isInteger(pid) && pid > 0 ? pid : null
  } catch {
    return null
  }
}

/** Takes the exclusive lock on `<dataDir>/router.lock`; null when another process holds it. */
function tryLock(dataDir: string): Database | null {
  const db = new Database(join(dataDir, 'router.lock'), { create: true })
  try {
    db.exec('PRAGMA busy_timeout = 0')
    db.exec('PRAGMA locking_mode = EXCLUSIVE')
    // In EXCLUSIVE locking mode the lock taken here is kept until the connection closes.
    db.exec('BEGIN EXCLUSIVE')
    db.exec('COMMIT')
    return db
  } catch (err) {
    db.close()
    if ((err as { code?: string }).code === 'SQLITE_BUSY') return null
    throw err
  }
}

/**
 * Takes the data dir's lock and writes `router.pid`; returns a release function. Throws
 * InstanceLockedError, naming the holder's pid, when a running process holds it.
 */
export function acquireInstanceLock(dataDir: string): () => void {
  let lock = tryLock(dataDir)
  const deadline = Date.now() + RELEASE_GRACE_MS
  // A holder that was just killed may still be closing its files: wait for the kernel, briefly.
  while (!lock && Date.now() < deadline && !isHolderRunning(dataDir)) {
    Bun.sleepSync(10)
    lock = tryLock(dataDir)
  }
  if (!lock) {
    const pid = recordedPid(dataDir)
    throw new InstanceLockedError(`data dir ${dataDir} is in use by another batchrouter${pid ? ` (pid ${pid})` : ''}; stop it or use another --data-dir`)
  }
  writeFileSync(pidPath(dataDir), String(process.pid))
  return () => {
    try {
      if (recordedPid(dataDir) === process.pid) rmSync(pidPath(dataDir), { force: true })
    } finally {
      lock.close()
    }
  }
}

function isHolderRunning(dataDir: string): boolean {
  const pid = recordedPid(dataDir)
  return pid !== null && isProcessRunning(pid)
}

/** True when a running process holds `dataDir`'s lock (restore refuses then); takes nothing. */
export function isDataDirInUse(dataDir: string): boolean {
  const lock = tryLock(dataDir)
  if (!lock) return true
  lock.close()
  return false
}

/** Turns Bun's listen failure into a PortInUseError with what to do; other errors pass through. */
export function listenError(err: unknown, host: string, port: number): unknown {
  if ((err as NodeJS.ErrnoException)?.code !== 'EADDRINUSE') return err
  return new PortInUseError(`port ${port} on ${host} is already in use (another batchrouter or another program is listening there); stop it or start with another --port`)
}
