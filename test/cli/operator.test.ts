/**
 * The operator CLI (`orgs`, `keys`, `batches`, `ledger`, `doctor`) on the data dir of a server
 * that is running at the same time — SQLite WAL makes that safe — checked over that server's HTTP.
 */
import { afterAll, beforeAll, describe, expect, it as baseIt } from 'bun:test'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { json, startTestApp, type TestApp } from '../helpers/test-app'
import { removeDir, startSimProcess, tempDir, type SimProcess } from '../helpers/process'
import { runCliPiped } from '../helpers/cli-run'

const it = (name: string, fn: () => Promise<void>) => baseIt(name, fn, 60_000)
let root: string
let app: TestApp
let dataDir: string
beforeAll(async () => {
  root = tempDir('br-cli-operator-')
  dataDir = join(root, 'data')
  app = await startTestApp({ dataDir })
})
afterAll(async () => {
  await app.close()
  removeDir(root)
})

const op = (args: string[], env: Record<string, string> = {}) => runCliPiped([...args, '--data-dir', dataDir], env)
const audit = (subject: string) => app.deps.db.$client.query('SELECT actor_key_id, action FROM audit_log WHERE subject_id = ? ORDER BY id').all(subject)

describe('batchrouter orgs', () => {
  it('creates an org with its first key and credit while the server runs; the key works at once', async () => {
    const res = await op(['orgs', 'create', '--name', 'Acme', '--email', 'ops@example.com', '--credit', '12.50'])
    expect(res.code).toBe(0)
    const created = JSON.parse(res.stdout)
    expect(created.org).toMatchObject({ name: 'Acme', email: 'ops@example.com', credit_balance: '12.500000' })
    const account = await json(app.request('/v1/auth/account', { headers: { authorization: `Bearer ${created.api_key}` } }))
    expect(account.body).toMatchObject({ org_id: created.org.id, credit_balance: '12.500000' })
    expect(audit(created.org.id)).toEqual([{ actor_key_id: null, action: 'org.create' }])
    const listed = JSON.parse((await op(['orgs', 'ls'])).stdout)
    expect(listed.data.map((o: { id: string }) => o.id)).toContain(created.org.id)
  })

  it('exits 2 without --name and for a malformed --credit', async () => {
    expect((await op(['orgs', 'create'])).code).toBe(2)
    const bad = await op(['orgs', 'create', '--name', 'x', '--credit', 'lots'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--credit')
  })

  it('leaves the running server\'s uploads in progress (tmp/) alone', async () => {
    mkdirSync(app.deps.paths.tmp, { recursive: true })
    const marker = join(app.deps.paths.tmp, 'upload-in-progress.part')
    writeFileSync(marker, 'partial')
    expect((await op(['orgs', 'ls'])).code).toBe(0)
    expect(existsSync(marker)).toBe(true)
  })
})

describe('batchrouter keys', () => {
  it('creates a customer key for an org and revokes it; the server refuses it from the next request', async () => {
    const org = app.newOrg()
    const created = JSON.parse((await op(['keys', 'create', '--org', org.orgId, '--name', 'ci'])).stdout)
    // (Bun's toMatchObject writes asymmetric matchers into the received object: check the secret apart.)
    expect(created.api_key).toMatch(/^br_live_/)
    expect(created).toMatchObject({ kind: 'live', org_id: org.orgId, name: 'ci' })
    const auth = { authorization: `Bearer ${created.api_key}` }
    expect((await app.request('/v1/auth/account', { headers: auth })).status).toBe(200)
    const listed = JSON.parse((await op(['keys', 'ls', '--org', org.orgId])).stdout)
    expect(listed.data.map((k: { id: string }) => k.id).sort()).toEqual([created.id, org.keyId].sort())
    expect(JSON.stringify(listed)).not.toContain(created.api_key)
    const revoked = await op(['keys', 'revoke', created.id])
    expect(revoked.code).toBe(0)
    expect((await app.request('/v1/auth/account', { headers: auth })).status).toBe(401)
    expect(audit(created.id)).toEqual([
      { actor_key_id: null, action: 'key.create' },
      { actor_key_id: null, action: 'key.revoke' },
    ])
  })

  it('creates an admin key that opens the operator routes, lists it under --admin, and revokes it', async () => {
    const created = JSON.parse((await op(['keys', 'create', '--admin', '--name', 'ops'])).stdout)
    expect(created.api_key).toMatch(/^br_admin_/)
    expect(created).toMatchObject({ kind: 'admin', org_id: null })
    const auth = { authorization: `Bearer ${created.api_key}` }
    expect((await app.request('/v1/admin/orgs', { headers: auth })).status).toBe(200)
    expect(JSON.parse((await op(['keys', 'ls', '--admin'])).stdout).data.every((k: { kind: string }) => k.kind === 'admin')).toBe(true)
    expect((await op(['keys', 'revoke', created.id])).code).toBe(0)
    expect((await app.request('/v1/admin/orgs', { headers: auth })).status).toBe(401)
  })

  const usage: Array<[string, string[], number, string]> = [
    ['neither --org nor --admin', ['keys', 'create'], 2, '--org ORG'],
    ['both --org and --admin', ['keys', 'create', '--org', 'org_x', '--admin'], 2, 'not both'],
    ['an unknown org', ['keys', 'create', '--org', 'org_nope'], 2, "No org found with id 'org_nope'"],
    ['an unknown key', ['keys', 'revoke', 'key_nope'], 2, 'key_nope'],
    ['an expiry in the past', ['keys', 'create', '--admin', '--expires', '2020-01-01T00:00:00Z'], 2, 'expires_at must be in the future'],
  ]
  for (const [name, args, code, message] of usage) {
    it(`exits ${code} for ${name}`, async () => {
      const res = await op(args)
      expect(res.stderr).toContain(message)
      expect(res.code).toBe(code)
    })
  }
})

describe('batchrouter batches ls and ledger', () => {
  it("lists an org's batches and its ledger entries, newest first", async () => {
    const org = app.newOrg('3.00')
    // No provider is configured here, so a batch is accepted only for work that may wait: an edge
    // lane (no node online yet). A model whose providers are not configured is refused at create.
    const items = [{ customer_item_id: 'a', operation: 'embeddings', model: 'nomic-embed-text', input: { input: 'hello' } }]
    const created = await json(app.request('/v1/batches', { method: 'POST', headers: { ...org.auth, 'content-type': 'application/json', 'idempotency-key': `op-ls-${org.orgId}` }, body: JSON.stringify({ items, privacy_tier: 'restricted' }) }))
    expect(created.status).toBe(202)
    const batches = JSON.parse((await op(['batches', 'ls', '--org', org.orgId])).stdout)
    expect(batches.data).toEqual([expect.objectContaining({ id: created.body.id, org_id: org.orgId, item_count: 1 })])
    const ledger = JSON.parse((await op(['ledger', '--org', org.orgId])).stdout)
    expect(ledger.data.map((e: { kind: string }) => e.kind)).toEqual(['reserve', 'grant'])
    expect((await op(['ledger'])).code).toBe(2)
  })
})

describe('batchrouter doctor', () => {
  let sim: SimProcess
  let refusing: ReturnType<typeof Bun.serve>
  beforeAll(async () => {
    sim = await startSimProcess()
    // A provider that refuses every key, as a real one does for a wrong credential.
    refusing = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => Response.json({ error: { message: 'Incorrect API key provided' } }, { status: 401 }) })
  })
  afterAll(async () => {
    await sim.stop('SIGKILL')
    refusing.stop(true)
  })

  const configWith = (providers: unknown[]) => {
    const path = join(root, `doctor-${Math.random().toString(36).slice(2)}.json`)
    writeFileSync(path, JSON.stringify({ catalog: { providers } }))
    return path
  }

  it('passes with the data dir, database and a provider (the simulator) answering its models list', async () => {
    const config = configWith([{ id: 'openai', base_url: `${sim.url}/v1`, api_key_env: 'DOCTOR_OPENAI_KEY' }])
    const res = await op(['doctor', '--config', config], { DOCTOR_OPENAI_KEY: 'sk-test' })
    const report = JSON.parse(res.stdout)
    const byName = Object.fromEntries(report.checks.map((c: { name: string; status: string }) => [c.name, c.status]))
    expect(byName).toMatchObject({ config: 'ok', server: 'ok', 'data dir': 'ok', database: 'ok', migrations: 'ok', clock: 'ok', 'provider openai': 'ok', 'provider anthropic': 'skip', 'provider openhost': 'skip' })
    expect(report.checks.find((c: { name: string }) => c.name === 'server').detail).toContain('a router is serving')
    expect(res.code).toBe(0)
  })

  it('fails (exit 1) when a provider refuses its credential, naming the env var', async () => {
    const config = configWith([{ id: 'openhost', base_url: `http://127.0.0.1:${refusing.port}/v1`, api_key_env: 'DOCTOR_OPENHOST_KEY' }])
    const res = await op(['doctor', '--config', config], { DOCTOR_OPENHOST_KEY: 'wrong' })
    expect(res.code).toBe(1)
    const check = JSON.parse(res.stdout).checks.find((c: { name: string }) => c.name === 'provider openhost')
    expect(check).toMatchObject({ status: 'fail', detail: expect.stringContaining('HTTP 401: the credential was refused; check DOCTOR_OPENHOST_KEY') })
  })

  it('fails when the clock is behind the newest data', async () => {
    app.deps.db.$client.query('INSERT INTO audit_log (actor_key_id, action, subject_id, detail, created_at) VALUES (NULL, ?, NULL, NULL, ?)').run('catalog.reload', Date.now() + 3600_000)
    try {
      const res = await op(['doctor'])
      expect(res.code).toBe(1)
      expect(JSON.parse(res.stdout).checks.find((c: { name: string }) => c.name === 'clock')).toMatchObject({ status: 'fail', detail: expect.stringContaining('is behind data written at') })
    } finally {
      app.deps.db.$client.query("DELETE FROM audit_log WHERE action = 'catalog.reload'").run()
    }
  })

  it('exits 2 naming the key for an invalid config file', async () => {
    const path = join(root, 'bad-doctor.json')
    writeFileSync(path, JSON.stringify({ tickMs: 1 }))
    const res = await op(['doctor', '--config', path])
    expect(res.code).toBe(2)
    expect(res.stderr).toContain('tickMs')
  })
})

describe('operator commands on a data dir without a database', () => {
  it('exit 2 for reads (a mistyped --data-dir makes nothing) while creates set the data dir up', async () => {
    const fresh = join(root, 'fresh')
    for (const args of [['orgs', 'ls'], ['keys', 'ls'], ['batches', 'ls'], ['ledger', '--org', 'org_x'], ['backup', '--to', join(root, 'fresh-backup')]]) {
      const res = await runCliPiped([...args, '--data-dir', fresh])
      expect(res.code).toBe(2)
      expect(res.stderr).toContain(`no database at ${join(fresh, 'router.db')}`)
    }
    expect(existsSync(join(fresh, 'router.db'))).toBe(false)
    const admin = await runCliPiped(['keys', 'create', '--admin', '--data-dir', fresh])
    expect(admin.code).toBe(0)
    expect(existsSync(join(fresh, 'router.db'))).toBe(true)
  })
})
