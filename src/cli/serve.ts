/** `batchrouter serve`: run the appliance until SIGINT/SIGTERM, then drain gracefully. */
import type { Config } from '../config'
import { createApp } from '../app'
import { InstanceLockedError, PortInUseError } from '../instance-lock'
import { ensureDemoAccount } from './demo-account'
import { formatMicros } from '../lib/money'
import { getBalance } from '../features/credits/index'

/** Resolves with -1 (keep running) and exits the process itself after a graceful stop. */
export async function runServe(config: Config): Promise<number> {
  // Everything the router writes (database, uploads, artifacts) is for this user alone.
  process.umask(0o077)
  let app
  try {
    app = await createApp(config)
  } catch (err) {
    // A second copy on a busy data dir or port is an operator mistake, not a crash: one clear line, exit 1.
    if (!(err instanceof InstanceLockedError) && !(err instanceof PortInUseError)) throw err
    console.error(err.message)
    return 1
  }
  app.deps.log.info('listening', { url: app.url, data_dir: app.deps.paths.dataDir, demo: config.demo })
  if (config.demo) {
    const demo = ensureDemoAccount(app.deps)
    const balance = getBalance(app.deps, demo.orgId)
    console.log(
      [
        '',
        `BatchRouter is running at ${app.url}/v1 (demo mode: providers are the built-in simulator)`,
        `  org:     ${demo.orgId}  (credit ${formatMicros(balance.available)} USD${demo.created ? '' : ', kept from the last start'})`,
        `  API key: ${demo.apiKey}`,
        '',
        `  export BATCHROUTER_API_KEY=${demo.apiKey}`,
        `  curl -H "Authorization: Bearer $BATCHROUTER_API_KEY" ${app.url}/v1/auth/account`,
        `  API reference: ${app.url}/v1/docs`,
        `  Web console:   ${app.url}/console  (sign in with the API key above)`,
        '',
      ].join('\n'),
    )
  }
  let stopping = false
  const shutdown = (signal: string) => {
    if (stopping) return
    stopping = true
    app.deps.log.info('draining', { signal })
    app.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.on('SIGINT', () => shutdown('SIGINT'))
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  return -1
}
