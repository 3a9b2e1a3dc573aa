/** The CLI as a user runs it: `bun src/main.ts …` in a child process on a temp data dir. */
import { afterAll, beforeAll, describe, expect, it as baseIt } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { validateConfig } from '../../src/config'
import { openStore } from '../../src/cli/open-store'
import type { Deps } from '../../src/deps'
import { createOrg } from '../../src/features/accounts'
import { getBalance } from '../../src/features/credits'
import { verifyApiKey } from '../../src/features/api-keys'
import { VERSION } from '../../src/version'
import { json, startTestApp } from '../helpers/test-app'

const ROOT = resolve(import.meta.dir, '../..')
/** Each test spawns one or more `bun src/main.ts` processes: allow for a loaded machine. */
const it = (name: string, fn: () => unknown) => baseIt(name, fn as () => void, 60_000)
let dataDir: string
beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'br-cli-'))
})
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

/** Environment without any BATCHROUTER_* setting of the developer's shell. */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('BATCHROUTER_')) env[k] = v
  return { ...env, NO_COLOR: '1', ...extra }
}

function cli(args: string[], env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const res = Bun.spawnSync([process.execPath, 'src/main.ts', ...args], { cwd: ROOT, env: cleanEnv(env), stdout: 'pipe', stderr: 'pipe', timeout: 20_000 })
  return { code: res.exitCode ?? -1, stdout: res.stdout.toString(), stderr: res.stderr.toString() }
}

/** Opens the data dir in this process, runs `fn`, closes it again (the CLI needs the file to itself only briefly). */
function withStore<T>(fn: (deps: Deps) => T): T {
  const deps = openStore(validateConfig({ dataDir, logLevel: 'silent' }))
  try {
    return fn(deps)
  } finally {
    deps.db.$client.close()
  }
}

describe('batchrouter help', () => {
  it('prints the usage with the exit codes and exits 0, as --help does', () => {
    for (const args of [['help'], ['--help']]) {
      const res = cli(args)
      expect(res.code).toBe(0)
      expect(res.stdout).toContain('batchrouter batch submit FILE.jsonl')
      expect(res.stdout).toContain('Exit codes:')
    }
  })
})

describe('batchrouter version', () => {
  it('prints the version and exits 0', () => {
    expect(cli(['version'])).toMatchObject({ code: 0, stdout: `${VERSION}\n` })
  })
})

describe('batchrouter admin create-key', () => {
  it('prints a new br_admin_ key once on stdout; the key authenticates operator routes', async () => {
    const res = cli(['admin', 'create-key', '--name', 'ops', '--data-dir', dataDir])
    expect(res.code).toBe(0)
    expect(res.stdout).toMatch(/^br_admin_[0-9A-Za-z]{40}\n$/)
    expect(res.stderr).toContain('shown only this once')
    const key = res.stdout.trim()
    const principal = withStore((deps) => verifyApiKey(deps, `Bearer ${key}`))
    expect(principal).toMatchObject({ kind: 'admin', orgId: null })
    const audit = withStore((deps) => deps.db.$client.query("SELECT actor_key_id, action, subject_id FROM audit_log WHERE action = 'admin_key.create'").all())
    expect(audit).toContainEqual({ actor_key_id: null, action: 'admin_key.create', subject_id: principal.keyId })
    const app = await startTestApp({ dataDir })
    try {
      expect((await json(app.request('/v1/admin/orgs', { headers: { authorization: `Bearer ${key}` } }))).status).toBe(200)
    } finally {
      await app.close()
    }
  })

  it('exits 2 for an unknown subcommand', () => {
    expect(cli(['admin', 'delete-everything', '--data-dir', dataDir]).code).toBe(2)
  })
})

describe('batchrouter credits grant', () => {
  const newOrg = () => withStore((deps) => createOrg(deps, { name: 'CLI org', startingCreditMicros: 0 }).org.id)

  it('grants the amount with the note, exits 0, and audits with actor null', () => {
    const org = newOrg()
    const res = cli(['credits', 'grant', '--org', org, '--amount', '25.00', '--note', 'invoice 7', '--data-dir', dataDir])
    expect(res.code).toBe(0)
    expect(res.stdout).toContain(`granted 25.000000 USD to ${org}`)
    withStore((deps) => {
      expect(getBalance(deps, org)).toEqual({ available: 25_000_000, reserved: 0 })
      const entry = deps.db.$client.query('SELECT kind, amount, note, reference FROM ledger_entries WHERE org_id = ?').get(org) as Record<string, unknown>
      expect(entry).toMatchObject({ kind: 'grant', amount: 25_000_000, note: 'invoice 7', reference: expect.stringMatching(/^op:cli-/) })
      expect(deps.db.$client.query('SELECT actor_key_id, action FROM audit_log WHERE subject_id = ?').all(org)).toEqual([{ actor_key_id: null, action: 'credits.grant' }])
    })
  })

  it('is idempotent by --reference: a repeat grants nothing and exits 0', () => {
    const org = newOrg()
    const args = ['credits', 'grant', '--org', org, '--amount', '2.5', '--reference', `ref-${org}`, '--data-dir', dataDir]
    expect(cli(args).code).toBe(0)
    const again = cli(args)
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('already granted')
    expect(withStore((deps) => getBalance(deps, org).available)).toBe(2_500_000)
  })

  it('exits 1 when --reference was used for a different grant', () => {
    const org = newOrg()
    expect(cli(['credits', 'grant', '--org', org, '--amount', '1', '--reference', `dup-${org}`, '--data-dir', dataDir]).code).toBe(0)
    const res = cli(['credits', 'grant', '--org', org, '--amount', '2', '--reference', `dup-${org}`, '--data-dir', dataDir])
    expect(res.code).toBe(1)
    expect(res.stderr).toContain('already used')
  })

  const usage: Array<[string, string[], string]> = [
    ['an unknown org', ['--org', 'org_nope', '--amount', '1.00'], "No org found with id 'org_nope'"],
    ['a missing --org', ['--amount', '1.00'], '--org ORG'],
    ['a malformed amount', ['--org', 'org_x', '--amount', 'ten'], '--amount'],
    ['a negative amount', ['--org', 'org_x', '--amount', '-5'], '--amount'],
    ['more than 6 decimals', ['--org', 'org_x', '--amount', '1.0000001'], '--amount'],
  ]
  for (const [name, args, message] of usage) {
    it(`exits 2 for ${name}`, () => {
      const res = cli(['credits', 'grant', ...args, '--data-dir', dataDir])
      expect(res.code).toBe(2)
      expect(res.stderr).toContain(message)
    })
  }
})

describe('configuration errors', () => {
  it('exits 2 naming BATCHROUTER_PORT for BATCHROUTER_PORT=abc', () => {
    const res = cli(['serve', '--data-dir', dataDir], { BATCHROUTER_PORT: 'abc' })
    expect(res.code).toBe(2)
    expect(res.stderr).toContain('BATCHROUTER_PORT')
  })

  it('exits 2 naming tickMs for a config file with {"tickMs": 1}', () => {
    const file = join(dataDir, 'bad-config.json')
    writeFileSync(file, JSON.stringify({ tickMs: 1 }))
    for (const res of [cli(['serve', '--config', file, '--data-dir', dataDir]), cli(['migrate', 'status'], { BATCHROUTER_CONFIG: file, BATCHROUTER_DATA_DIR: dataDir })]) {
      expect(res.code).toBe(2)
      expect(res.stderr).toContain('tickMs')
    }
  })

  it('exits 2 naming the key for an unknown setting in the config file', () => {
    const file = join(dataDir, 'unknown-config.json')
    writeFileSync(file, JSON.stringify({ tickMS: 100 }))
    const res = cli(['serve', '--config', file, '--data-dir', dataDir])
    expect(res.code).toBe(2)
    expect(res.stderr).toContain('tickMS')
  })

  it('exits 2 for an unknown flag', () => {
    expect(cli(['version', '--frobnicate']).code).toBe(2)
  })
})
