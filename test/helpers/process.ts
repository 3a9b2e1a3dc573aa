/**
 * Real processes for end-to-end tests and benchmarks: the appliance (`bun src/main.ts serve …`)
 * and the standalone provider simulator (`bun src/main.ts sim …`) as child processes, with their
 * output collected, a way to wait for readiness, and signals to stop or kill them.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Subprocess } from 'bun'

/** The repository root (where src/main.ts lives). */
export const REPO_ROOT = resolve(import.meta.dir, '../..')
const MAIN = join(REPO_ROOT, 'src/main.ts')

/** A free TCP port on 127.0.0.1 (asks the OS for one, then releases it). */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer()
    srv.once('error', fail)
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port
      srv.close(() => ok(port))
    })
  })
}

/** A child process with its stdout/stderr collected as text. */
export interface Child {
  proc: Subprocess<'ignore', 'pipe', 'pipe'>
  pid: number
  /** Everything written so far. */
  stdout(): string
  stderr(): string
  /** Resolves with the exit code (a killed process resolves with 128 + signal number, as a shell reports it). */
  exited: Promise<number>
  /** Sends `signal` (default SIGTERM). */
  kill(signal?: NodeJS.Signals | number): void
  /** Sends `signal` and waits for the exit, SIGKILL after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number>
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }

/** Children still running; killed when this process exits, so a crashed test leaves no orphans. */
const live = new Set<Subprocess>()
process.on('exit', () => {
  for (const proc of live) proc.kill('SIGKILL')
})

function spawnChild(args: string[], env: Record<string, string | undefined> = {}, bunArgs: string[] = []): Child {
  const proc = Bun.spawn([process.execPath, ...bunArgs, MAIN, ...args], {
    cwd: REPO_ROOT,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    env: { ...process.env, ...env },
  })
  live.add(proc)
  void proc.exited.then(() => live.delete(proc))
  let out = ''
  let err = ''
  const pump = async (stream: ReadableStream<Uint8Array>, append: (s: string) => void) => {
    const decoder = new TextDecoder()
    for await (const chunk of stream) append(decoder.decode(chunk, { stream: true }))
  }
  const pumped = Promise.all([pump(proc.stdout, (s) => (out += s)), pump(proc.stderr, (s) => (err += s))]).catch(() => {})
  const exited = proc.exited.then(async (code) => {
    await pumped
    return proc.signalCode ? 128 + (SIGNALS[proc.signalCode] ?? 0) : code
  })
  const child: Child = {
    proc,
    pid: proc.pid,
    stdout: () => out,
    stderr: () => err,
    exited,
    kill: (signal = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal)
    },
    async stop(signal = 'SIGTERM', graceMs = 10_000) {
      child.kill(signal)
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      try {
        return await exited
      } finally {
        clearTimeout(timer)
      }
    },
  }
  return child
}

/** Polls `until` every `everyMs` until it returns a truthy value or `timeoutMs` passes (then throws `what`). */
export async function waitFor<T>(what: string, until: () => Promise<T | undefined | null | false> | T | undefined | null | false, opts: { timeoutMs?: number; everyMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000)
  let lastError: unknown
  for (;;) {
    try {
      const value = await until()
      if (value) return value as T
    } catch (err) {
      lastError = err
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`)
    await Bun.sleep(opts.everyMs ?? 25)
  }
}

// ---------------------------------------------------------------------------------------------
// The provider simulator

export interface SimProcess extends Child {
  url: string
  /** PUT /_sim/scenario. */
  scenario(body: unknown): Promise<void>
  /** GET /_sim/stats. */
  stats(): Promise<{ total: number; by_custom_id: Record<string, number>; by_status: Record<string, number>; in_flight: number; max_in_flight: number }>
  reset(): Promise<void>
}

/** Starts `bun src/main.ts sim --port 0 [--data-dir D]` and waits for the URL it prints. */
export async function startSimProcess(opts: { port?: number; dataDir?: string } = {}): Promise<SimProcess> {
  const child = spawnChild(['sim', '--port', String(opts.port ?? 0), ...(opts.dataDir ? ['--data-dir', opts.dataDir] : [])])
  const url = await waitFor('the simulator to print its URL', () => {
    if (child.proc.exitCode !== null) throw new Error(`simulator exited ${child.proc.exitCode}: ${child.stderr()}`)
    return /listening on (http:\/\/\S+?)\s/.exec(child.stdout())?.[1]
  })
  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}/_sim/${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined })
    if (!res.ok) throw new Error(`${method} /_sim/${path}: ${res.status} ${await res.text()}`)
    return res.json()
  }
  return {
    ...child,
    url,
    scenario: async (body) => void (await control('PUT', 'scenario', body)),
    stats: () => control('GET', 'stats') as ReturnType<SimProcess['stats']>,
    reset: async () => void (await control('POST', 'reset')),
  }
}

// ---------------------------------------------------------------------------------------------
// The appliance

export interface ServerProcess extends Child {
  url: string
  port: number
  dataDir: string
  configPath: string
}

export interface ServerOptions {
  /** Data directory (reused across restarts); a temp dir when absent. */
  dataDir?: string
  /** Port; a free one when absent. */
  port?: number
  /** Config file contents (JSON); `host`, `port` and `dataDir` come from the flags. */
  config?: Record<string, unknown>
  /** Where to write the config file (default: `<dataDir>/../<basename>-config.json` beside the data dir). */
  configPath?: string
  env?: Record<string, string | undefined>
  /** Flags for bun itself, before the script (e.g. `--cpu-prof-md`). */
  bunArgs?: string[]
  /** Wait for /readyz (default true). */
  waitReady?: boolean
  readyTimeoutMs?: number
}

/** A new temp directory for a test's data dir and config files. */
export function tempDir(prefix = 'br-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

/** Removes a temp directory made by `tempDir`. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}

/** Catalog override sending every `openai` offering to an OpenAI-compatible endpoint (e.g. a simulator). */
export function openaiToSim(simUrl: string) {
  return { providers: [{ id: 'openai', kind: 'openai-compatible', base_url: `${simUrl}/v1`, api_key_env: '' }] }
}

/** Starts `bun src/main.ts serve --port P --data-dir D --config F` and waits for /readyz. */
export async function startServerProcess(opts: ServerOptions = {}): Promise<ServerProcess> {
  const dataDir = opts.dataDir ?? tempDir('br-e2e-data-')
  const port = opts.port ?? (await freePort())
  const configPath = opts.configPath ?? `${dataDir.replace(/\/+$/, '')}-config.json`
  // Tests sign up through agent-register (registerOrg); registration is closed by default outside demo mode.
  writeFileSync(configPath, JSON.stringify({ logLevel: 'warn', registration: 'open', ...opts.config }, null, 2))
  const child = spawnChild(['serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir, '--config', configPath], opts.env, opts.bunArgs)
  const url = `http://127.0.0.1:${port}`
  const server: ServerProcess = { ...child, url, port, dataDir, configPath }
  if (opts.waitReady !== false) await waitReady(server, opts.readyTimeoutMs)
  return server
}

/** Waits until `GET /readyz` answers 200; throws with the child's stderr if it exits first. */
export async function waitReady(server: ServerProcess, timeoutMs = 20_000): Promise<void> {
  await waitFor(
    `${server.url}/readyz`,
    async () => {
      if (server.proc.exitCode !== null || server.proc.signalCode !== null) throw new Error(`server exited (${server.proc.exitCode ?? server.proc.signalCode}): ${server.stderr()}`)
      const res = await fetch(`${server.url}/readyz`).catch(() => null)
      return res?.status === 200
    },
    { timeoutMs, everyMs: 50 },
  )
}

/** Peak and current resident memory of a process from /proc (Linux), in bytes. */
export function memoryOf(pid: number): { hwm: number; rss: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024
    return { hwm: kb('VmHWM'), rss: kb('VmRSS') }
  } catch {
    return null
  }
}

// ---------------------------------------------------------------------------------------------
// A tiny API client

export interface ApiClient {
  key: string
  orgId: string
  get<T = any>(path: string): Promise<{ status: number; body: T }>
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T }>
}

/** Registers an org through `POST /v1/auth/agent-register` and returns a client holding its key. */
export async function registerOrg(baseUrl: string): Promise<ApiClient> {
  const res = await fetch(`${baseUrl}/v1/auth/agent-register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'e2e org' }) })
  if (res.status !== 201) throw new Error(`agent-register answered ${res.status}: ${await res.text()}`)
  const body = (await res.json()) as { org_id: string; api_key: string }
  return apiClient(baseUrl, body.api_key, body.org_id)
}

/** A JSON client for `baseUrl` authenticating with `key`. */
export function apiClient(baseUrl: string, key: string, orgId = ''): ApiClient {
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    })
    const text = await res.text()
    let parsed: unknown = text
    try {
      parsed = text ? JSON.parse(text) : null
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed as any }
  }
  return {
    key,
    orgId,
    get: (path) => call('GET', path),
    post: (path, body, headers) => call('POST', path, body, headers),
  }
}

// ---------------------------------------------------------------------------------------------
// Edge nodes (`batchrouter edge`, contract §11)

export interface EdgeProcess extends Child {
  /** Its health port: /healthz, /readyz, /metrics. */
  healthUrl: string
  dataDir: string
}

/** Starts `bun src/main.ts edge …` and waits for /readyz (joined, upstream ok, router answering) unless `waitReady` is false. */
export async function startEdgeProcess(opts: { router: string; upstream: string; joinToken?: string; dataDir: string; name: string; concurrency?: number; models?: string; waitReady?: boolean; env?: Record<string, string> }): Promise<EdgeProcess> {
  const port = await freePort()
  const args = ['edge', '--router', opts.router, '--upstream', opts.upstream, '--data-dir', opts.dataDir, '--name', opts.name, '--port', String(port), '--concurrency', String(opts.concurrency ?? 4)]
  if (opts.joinToken) args.push('--join-token', opts.joinToken)
  if (opts.models) args.push('--models', opts.models)
  const child = spawnChild(args, { BATCHROUTER_LOG_LEVEL: 'warn', ...opts.env })
  const edge: EdgeProcess = { ...child, healthUrl: `http://127.0.0.1:${port}`, dataDir: opts.dataDir }
  if (opts.waitReady !== false) {
    await waitFor(`edge node ${opts.name} ready`, async () => {
      if (child.proc.exitCode !== null || child.proc.signalCode !== null) throw new Error(`edge node exited (${child.proc.exitCode ?? child.proc.signalCode}): ${child.stderr()}`)
      const res = await fetch(`${edge.healthUrl}/readyz`).catch(() => null)
      return res?.status === 200
    }, { timeoutMs: 20_000, everyMs: 50 })
  }
  return edge
}
