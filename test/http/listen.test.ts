/**
 * One port, one router: a second `serve` on a port already in use exits non-zero instead of
 * sharing the port (Bun's SO_REUSEPORT would have split requests between two databases).
 */
import { afterAll, describe, expect, it } from 'bun:test'
import { removeDir, startServerProcess, tempDir } from '../helpers/process'

const dirs: string[] = []
afterAll(() => dirs.forEach(removeDir))

describe('serve on a port in use', () => {
  it('refuses to start a second copy on the same port (another data dir)', async () => {
    const first = await startServerProcess({ dataDir: (dirs.push(tempDir('br-port-a-')), dirs.at(-1)!) })
    try {
      const second = await startServerProcess({ dataDir: (dirs.push(tempDir('br-port-b-')), dirs.at(-1)!), port: first.port, waitReady: false })
      expect(await second.exited).not.toBe(0)
      expect(second.stderr() + second.stdout()).toContain('in use')
      expect((await fetch(`${first.url}/healthz`)).status).toBe(200)
    } finally {
      await first.stop()
    }
  }, 60_000)
})
