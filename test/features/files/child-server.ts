/**
 * A files-test server in its own process, so a test can measure the server's memory apart from
 * its own: starts the app on port 0 with a temp data dir, creates an org, collects garbage, then
 * prints one JSON line `{url, key, dataDir}` and runs until SIGTERM or stdin closes.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from '../../../src/app'
import { validateConfig } from '../../../src/config'
import { createOrg } from '../../../src/features/accounts/orgs'
import { createLog } from '../../../src/lib/log'

const dataDir = mkdtempSync(join(tmpdir(), 'br-files-child-'))
const app = await createApp(validateConfig({ port: 0, dataDir, logLevel: 'silent', signingSecret: 'test-signing-secret-0123456789abcdef' }), { log: createLog('silent'), scheduler: false })
const { apiKey } = createOrg(app.deps, { name: 'Memory test org', startingCreditMicros: 0 })
Bun.gc(true)

let stopping = false
async function stop(): Promise<void> {
  if (stopping) return
  stopping = true
  await app.stop()
  rmSync(dataDir, { recursive: true, force: true })
  process.exit(0)
}
process.on('SIGTERM', stop)
process.stdin.on('end', stop)
process.stdin.resume()
process.stdout.write(JSON.stringify({ url: app.url, key: apiKey, dataDir }) + '\n')
