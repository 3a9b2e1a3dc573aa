/**
 * `batchrouter edge --router URL --join-token TOKEN --upstream URL …`: runs this binary as an edge
 * node (contract §11). Stops cleanly on SIGTERM / SIGINT (finishes what it holds, pushes the
 * results); exits 1 when the router refuses its credential, 2 for a usage error.
 */
import { parseArgs } from 'node:util'
import { createLog, type LogLevel } from '../lib/log'
import { Value } from '@sinclair/typebox/value'
import { ConfigError, EdgeSection, readConfigFile } from '../config'
import { EDGE_FLAGS, EdgeNode, EdgeUsageError, fileFlags, resolveEdgeOptions, startHealthServer } from '../edge-node/index'

export const EDGE_USAGE = `Usage:
  batchrouter edge --router URL --join-token TOKEN --upstream URL [--upstream-key KEY]
                   [--data-dir DIR] [--name NAME] [--concurrency N] [--models m1,slug=served,…]
                   [--host H] [--port P] [--config FILE]
Each flag can also be set as BATCHROUTER_EDGE_<FLAG> (e.g. BATCHROUTER_EDGE_UPSTREAM), or in the
config file's \`edge\` section in camelCase (joinToken, upstreamKey, dataDir, …); flags win, then env.
The join token is used once: the node's credential is kept in --data-dir (default ./edge-data).
Health, readiness and metrics: http://H:P/healthz, /readyz, /metrics (default 127.0.0.1:8081).`

/** Runs the node until a signal (exit 0) or a refused credential (exit 1). */
export async function runEdge(argv: string[]): Promise<number> {
  let node: EdgeNode
  let server: ReturnType<typeof startHealthServer>
  try {
    const { values } = parseArgs({ args: argv, options: { ...Object.fromEntries(EDGE_FLAGS.map((f) => [f, { type: 'string' as const }])), config: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false })
    if (values.help) {
      console.log(EDGE_USAGE)
      return 0
    }
    const { config: configPath, ...flags } = values as Record<string, string>
    const opts = resolveEdgeOptions(flags, process.env, fileFlags(configPath ? edgeSection(configPath) : undefined))
    node = new EdgeNode(opts, createLog((process.env.BATCHROUTER_LOG_LEVEL as LogLevel) ?? 'info'))
    server = startHealthServer(node, opts.host, opts.port)
    console.log(`edge node: health on http://${opts.host}:${server.port} (/healthz, /readyz, /metrics); router ${opts.router}; upstream ${opts.upstream}`)
  } catch (err) {
    if (err instanceof EdgeUsageError || err instanceof ConfigError || (err instanceof TypeError && /option|argument/i.test(err.message))) {
      console.error(`${err.message}\n\n${EDGE_USAGE}`)
      return 2
    }
    throw err
  }
  const stopped = Promise.withResolvers<number>()
  const stop = () => void node.stop().then(() => stopped.resolve(node.failure ? 1 : 0))
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
  await node.start()
  if (node.failure) {
    console.error(node.failure)
    await node.stop()
    stopped.resolve(1)
  }
  const code = await stopped.promise
  server.stop(true)
  return code
}

/** The config file's `edge` section, validated; a usage error names the bad key. */
function edgeSection(path: string): Record<string, unknown> | undefined {
  const section = readConfigFile(path).edge
  if (section === undefined) return undefined
  const first = Value.Errors(EdgeSection, section).First()
  if (first) throw new EdgeUsageError(`config file ${path}: edge${first.path.replaceAll('/', '.')}: ${first.message}`)
  return section as Record<string, unknown>
}
