/**
 * The demo org and key kept in the data dir (`demo-account.json`, mode 0600), so restarting
 * `make run` prints the same key and keeps the same balance instead of minting a new org each
 * time. The starting credit is granted once per org, by reference (`starting-credit:<org>`).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { eq } from 'drizzle-orm'
import type { Deps } from '../deps'
import { createOrg, orgsTable } from '../features/accounts'
import { insertApiKey, verifyApiKey } from '../features/api-keys'
import { AppError } from '../lib/errors'

/** The demo org and its key; `created` is true when this start made them. */
export interface DemoAccount {
  orgId: string
  apiKey: string
  created: boolean
}

const FILE = 'demo-account.json'

/** Returns the stored demo account, repairing a revoked key; creates org and key on the first start. */
export function ensureDemoAccount(deps: Deps): DemoAccount {
  const path = join(deps.paths.dataDir, FILE)
  const stored = readStored(path)
  if (stored && deps.db.select({ id: orgsTable.id }).from(orgsTable).where(eq(orgsTable.id, stored.org_id)).get()) {
    if (isKeyUsable(deps, stored.api_key)) return { orgId: stored.org_id, apiKey: stored.api_key, created: false }
    // The operator revoked the demo key: mint another for the same org (its credit stays).
    const key = insertApiKey(deps, { orgId: stored.org_id, kind: 'live', name: 'demo' })
    write(path, stored.org_id, key.secret)
    return { orgId: stored.org_id, apiKey: key.secret, created: false }
  }
  const made = createOrg(deps, { name: 'Demo org' })
  write(path, made.org.id, made.apiKey)
  return { orgId: made.org.id, apiKey: made.apiKey, created: true }
}

function readStored(path: string): { org_id: string; api_key: string } | null {
  if (!existsSync(path)) return null
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { org_id?: unknown; api_key?: unknown }
    return typeof parsed.org_id === 'string' && typeof parsed.api_key === 'string' ? { org_id: parsed.org_id, api_key: parsed.api_key } : null
  } catch {
    return null
  }
}

function isKeyUsable(deps: Deps, secret: string): boolean {
  try {
    return verifyApiKey(deps, `Bearer ${secret}`).kind === 'live'
  } catch (err) {
    if (err instanceof AppError) return false
    throw err
  }
}

function write(path: string, orgId: string, apiKey: string): void {
  writeFileSync(path, JSON.stringify({ org_id: orgId, api_key: apiKey }, null, 2) + '\n', { mode: 0o600 })
}
