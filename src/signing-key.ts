/** The router's HMAC signing key: from config, else generated once into `<data-dir>/signing.key`. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomBase62 } from './lib/ids'

export function loadSigningKey(dataDir: string, configured?: string): Uint8Array {
  if (configured) return new TextEncoder().encode(configured)
  const path = join(dataDir, 'signing.key')
  if (!existsSync(path)) writeFileSync(path, randomBase62(64), { mode: 0o600, flag: 'wx' })
  return new TextEncoder().encode(readFileSync(path, 'utf8').trim())
}
