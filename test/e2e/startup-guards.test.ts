/**
 * What a new user hits when starting the appliance: a second copy on the same port, a restart
 * right after kill -9 (also while the killed process is an unreaped zombie), demo restarts, and
 * registration outside demo mode. Real `bun src/main.ts serve` processes on temp data dirs.
 */
import { afterAll, describe, expect, it as baseIt } from 'bun:test'
import { Database } from 'bun:sqlite'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT, freePort, removeDir, startServerProcess, tempDir, waitFor, type ServerProcess } from '../helpers/process'

const it = (name: string, fn: () => Promise<void>) => baseIt(name, fn, 90_000)
const root = tempDir('br-startup-')
const servers: ServerProcess[] = []
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop('SIGKILL')))
  removeDir(root)
})

async function start(opts: Parameters<typeof startServerProcess>[0]): Promise<ServerProcess> {
  const server = await startServerProcess(opts)
  servers.push(server)
  return server
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')
  } catch {
    return false
  }
}

describe('serve: two copies on one port', () => {
  it('the second copy (another data dir) exits non-zero naming the port, and the first keeps serving', async () => {
    const first = await start({ dataDir: join(root, 'port-a') })
    const second = await start({ dataDir: join(root, 'port-b'), port: first.port, configPath: join(root, 'port-b.json'), waitReady: false })
    const code = await waitFor('the second copy to exit', () => (second.proc.exitCode !== null ? second.exited : null), { timeoutMs: 30_000 })
    expect(code).toBe(1)
    expect(second.stderr()).toContain(`port ${first.port} on 127.0.0.1 is already in use`)
    expect(second.stderr()).not.toContain('    at ')
    // The refused copy released its own data dir: a copy may start there on another port.
    const third = await start({ dataDir: join(root, 'port-b'), configPath: join(root, 'port-b3.json') })
    expect((await fetch(`${third.url}/readyz`)).status).toBe(200)
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200)
  })
})

describe('serve: restart after kill -9', () => {
  it('starts at once on the same data dir and port after the first copy was killed', async () => {
    const dataDir = join(root, 'killed')
    const first = await start({ dataDir })
    first.kill('SIGKILL')
    await first.exited
    const second = await start({ dataDir, port: first.port, configPath: join(root, 'killed-2.json') })
    expect((await fetch(`${second.url}/readyz`)).status).toBe(200)
    expect(readFileSync(join(dataDir, 'router.pid'), 'utf8').trim()).toBe(String(second.pid))
  })

  it('starts while the killed copy is still an unreaped zombie holding its pid', async () => {
    const dataDir = join(root, 'zombie')
    const port = await freePort()
    // `exec sleep` makes the server's parent a process that never reaps it, as a slow supervisor would.
    const serve = [process.execPath, 'src/main.ts', 'serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir].map((a) => `'${a}'`).join(' ')
    const parent = Bun.spawn(['sh', '-c', `BATCHROUTER_LOG_LEVEL=warn ${serve} >/dev/null 2>&1 & exec sleep 120`], { cwd: REPO_ROOT, stdout: 'ignore', stderr: 'ignore' })
    try {
      const pid = await waitFor('the first copy to be ready', async () => {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null)
        return res?.status === 200 ? Number(readFileSync(join(dataDir, 'router.pid'), 'utf8')) : null
      }, { timeoutMs: 30_000 })
      process.kill(pid, 'SIGKILL')
      await waitFor('the killed copy to become a zombie', () => isZombie(pid), { timeoutMs: 10_000 })
      const second = await start({ dataDir, port, configPath: join(root, 'zombie-2.json') })
      expect(isZombie(pid)).toBe(true)
      expect((await fetch(`${second.url}/readyz`)).status).toBe(200)
    } finally {
      parent.kill('SIGKILL')
    }
  })
})

describe('serve --demo: restarts keep one demo org and key', () => {
  it('prints the same key on restart, keeps the balance and grants the starting credit once', async () => {
    const dataDir = join(root, 'demo')
    const printed = (s: ServerProcess) => ({ key: /API key: (br_live_\w+)/.exec(s.stdout())?.[1], org: /org:\s+(org_\w+)/.exec(s.stdout())?.[1] })
    const first = await start({ dataDir, config: { demo: true } })
    const one = await waitFor('the demo key', () => (printed(first).key ? printed(first) : null))
    expect(await first.stop('SIGTERM')).toBe(0)
    const second = await start({ dataDir, config: { demo: true } })
    const two = await waitFor('the demo key', () => (printed(second).key ? printed(second) : null))
    expect(two).toEqual(one)
    const account = await (await fetch(`${second.url}/v1/auth/account`, { headers: { authorization: `Bearer ${two.key}` } })).json()
    expect(account).toMatchObject({ org_id: one.org, credit_balance: '25.000000' })
    await second.stop('SIGTERM')
    const db = new Database(join(dataDir, 'router.db'), { readonly: true })
    try {
      expect(db.query('SELECT count(*) AS n FROM orgs').get()).toEqual({ n: 1 })
      expect(db.query("SELECT count(*) AS n FROM ledger_entries WHERE kind = 'grant'").get()).toEqual({ n: 1 })
    } finally {
      db.close()
    }
  })
})

describe('serve: registration', () => {
  it('refuses POST /v1/auth/agent-register with 403 outside demo mode unless configured open', async () => {
    const server = await start({ dataDir: join(root, 'closed'), config: { registration: undefined } })
    const res = await fetch(`${server.url}/v1/auth/agent-register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    expect(res.status).toBe(403)
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('Self-registration is closed')
  })
})
