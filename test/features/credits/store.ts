/** A migrated store on a temp data dir without an HTTP server, for ledger-level tests. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { validateConfig } from '../../../src/config'
import { openStore } from '../../../src/cli/open-store'
import type { Deps } from '../../../src/deps'
import { FakeClock } from '../../../src/lib/clock'
import { createOrg } from '../../../src/features/accounts'

export interface TestStore {
  deps: Deps
  clock: FakeClock
  dataDir: string
  /** A fresh org with no credit. */
  newOrgId(): string
  close(): void
}

/** `fast` turns off fsync (synchronous=OFF) for tests that only check logic, never durability. */
export function openTestStore(opts: { fast?: boolean } = {}): TestStore {
  const dataDir = mkdtempSync(join(tmpdir(), 'br-ledger-'))
  const clock = new FakeClock()
  const deps: Deps = { ...openStore(validateConfig({ dataDir, logLevel: 'silent' })), clock }
  if (opts.fast) deps.db.$client.exec('PRAGMA synchronous = OFF')
  return {
    deps,
    clock,
    dataDir,
    newOrgId: () => createOrg(deps, { name: 'Ledger org', startingCreditMicros: 0 }).org.id,
    close() {
      deps.db.$client.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** Sum of an org's entry deltas straight from SQL, independent of getBalance. */
export function sumEntries(deps: Deps, orgId: string): { available: number; reserved: number; count: number } {
  const row = deps.db.$client
    .query('SELECT coalesce(sum(delta_available), 0) AS available, coalesce(sum(delta_reserved), 0) AS reserved, count(*) AS count FROM ledger_entries WHERE org_id = ?')
    .get(orgId) as { available: number; reserved: number; count: number }
  return row
}
