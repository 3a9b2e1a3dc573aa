/**
 * One appliance per data directory. Two copies started by mistake on the same data dir would
 * both dispatch the same items; the second refuses to start, naming the first one's pid.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export class InstanceLockedError extends Error {}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Takes the data dir's pid lock; returns a release function. Throws InstanceLockedError when held by a live process. */
export function acquireInstanceLock(dataDir: string): () => void {
  const path = join(dataDir, 'router.pid')
  if (existsSync(path)) {
    const pid = Number(readFileSync(path, 'utf8').trim())
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new InstanceLockedError(`data dir ${dataDir} is in use by another batchrouter (pid ${pid}); stop it or use another --data-dir`)
    }
  }
  writeFileSync(path, String(process.pid))
  return () => {
    try {
      if (readFileSync(path, 'utf8').trim() === String(process.pid)) rmSync(path, { force: true })
    } catch {
      // already gone
    }
  }
}
