/**
 * A files-test server in its own process, so a test can measure the server's memory apart from
 * its own: starts the app on port 0 with a temp data dir, creates an org, collects garbage, then
 * prints one JSON line `{url, key, dataDir}` and runs until SIGTERM or stdin closes. Commands on
 * stdin, one per line: `gc` runs a full collection (answers `gc done`); `lag` answers
 * `lag <ms>`, the longest event-loop stall seen since the previous `lag` (5 ms timer drift).
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

const LAG_TICK_MS = 5
let maxLagMs = 0
let lastTick = performance.now()
const lagTimer = setInterval(() => {
  const now = performance.now()
  maxLagMs = Math.max(maxLagMs, now - lastTick - LAG_TICK_MS)
  lastTick = now
}, LAG_TICK_MS)

let stopping = false
async function stop(): Promise<void> {
  if (stopping) return
  stopping = true
  clearInterval(lagTimer)
  await app.stop()
  rmSync(dataDir, { recursive: true, force: true })
  process.exit(0)
}
process.on('SIGTERM', stop)
process.stdin.on('end', stop)
process.stdin.on('data', (data) => {
  for (const line of String(data).split('\n').map((l) => l.trim())) {
    if (line === 'gc') {
      Bun.gc(true)
      process.stdout.write('gc done\n')
    } else if (line === 'lag') {
      process.stdout.write(`lag ${maxLagMs.toFixed(1)}\n`)
      maxLagMs = 0
    }
  }
})
process.stdout.write(JSON.stringify({ url: app.url, key: apiKey, dataDir }) + '\n')
