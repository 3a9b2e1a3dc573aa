/**
 * The peer for bench/dispatch.ts: the Portkey AI gateway (`@portkey-ai/gateway`), installed by the
 * bench alone with npm into a temp prefix (never a dependency of this project) and run with Node
 * on a loopback port. Requests name the upstream per call (`x-portkey-provider: openai`,
 * `x-portkey-custom-host: <simulator>/v1`), so it fans out to the same simulator as the router.
 */
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, waitFor } from '../test/helpers/process'

export const PORTKEY_VERSION = '1.15.2'
const PREFIX = join(tmpdir(), `br-bench-portkey-${PORTKEY_VERSION}`)
const ENTRY = join(PREFIX, 'node_modules/@portkey-ai/gateway/build/start-server.js')

export interface Portkey {
  url: string
  /** Headers that route a call through the gateway to `upstream` (an OpenAI-compatible base URL). */
  headers(upstream: string): Record<string, string>
  stop(): Promise<void>
}

/** Installs (once per machine, cached in the temp dir) and starts the gateway; a reason string when it cannot. */
export async function startPortkey(): Promise<Portkey | string> {
  if (!Bun.which('node') || !Bun.which('npm')) return 'node/npm not on PATH'
  if (!existsSync(ENTRY)) {
    const install = Bun.spawnSync(['npm', 'install', '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', '--prefix', PREFIX, `@portkey-ai/gateway@${PORTKEY_VERSION}`], { stdout: 'pipe', stderr: 'pipe' })
    if (install.exitCode !== 0 || !existsSync(ENTRY)) return `npm install @portkey-ai/gateway@${PORTKEY_VERSION} failed (exit ${install.exitCode}): ${install.stderr.toString().trim().split('\n').slice(-3).join(' / ')}`
  }
  const port = await freePort()
  // production + --headless: no console UI, no log of every request.
  const proc = Bun.spawn(['node', ENTRY, `--port=${port}`, '--headless'], { stdin: 'ignore', stdout: 'ignore', stderr: 'pipe', env: { ...process.env, NODE_ENV: 'production' } })
  const url = `http://127.0.0.1:${port}`
  try {
    await waitFor('the Portkey gateway to listen', async () => {
      if (proc.exitCode !== null) throw new Error(`exited ${proc.exitCode}`)
      return (await fetch(url).catch(() => null)) !== null
    }, { timeoutMs: 20_000, everyMs: 100 })
  } catch (err) {
    proc.kill('SIGKILL')
    return `the gateway did not start: ${String(err)}`
  }
  return {
    url,
    headers: (upstream) => ({ authorization: 'Bearer sk-bench', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': upstream }),
    async stop() {
      proc.kill('SIGTERM')
      await proc.exited
    },
  }
}
