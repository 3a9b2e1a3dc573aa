/**
 * The node's credential in its data dir (`node.json`, mode 0600): written once at join and on
 * every rotation, so a restart heartbeats with it instead of joining again.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** What the router answered at join (and rotations since). */
export interface NodeCredential {
  router: string
  node_id: string
  node_token: string
  token_expires_at: string
  heartbeat_interval_seconds: number
  lease_seconds: number
}

const FILE = 'node.json'

/** The stored credential for `router`, or null (none yet, or one for another router). */
export function loadCredential(dataDir: string, router: string): NodeCredential | null {
  const path = join(dataDir, FILE)
  if (!existsSync(path)) return null
  const stored = JSON.parse(readFileSync(path, 'utf8')) as NodeCredential
  return stored.router === router ? stored : null
}

/** Writes the credential atomically (a crash mid-write keeps the previous one). */
export function saveCredential(dataDir: string, credential: NodeCredential): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const path = join(dataDir, FILE)
  writeFileSync(`${path}.tmp`, JSON.stringify(credential, null, 2), { mode: 0o600 })
  renameSync(`${path}.tmp`, path)
}
