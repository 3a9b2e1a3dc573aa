#!/usr/bin/env bun
/**
 * CLI entry: `batchrouter [serve] | migrate [status] | admin create-key | credits grant | sim | version | help`,
 * plus the command groups of cli/commands.ts. Exit codes: cli/exit-codes.ts (0 ok, 1 failure, 2 usage, …).
 */
import { parseArgs } from 'node:util'
import { ConfigError, loadConfig, type ConfigFlags } from './config'
import { VERSION } from './version'
import { runServe } from './cli/serve'
import { runMigrate } from './cli/migrate'
import { runAdmin } from './cli/admin'
import { runCredits } from './cli/credits'
import { runSim } from './cli/sim'
import { COMMAND_GROUPS, GROUPS_USAGE } from './cli/commands'
import { runEdge } from './cli/edge'

const USAGE = `batchrouter ${VERSION}

Usage:
  batchrouter [serve] [--host H] [--port N] [--data-dir DIR] [--config FILE] [--demo]
  batchrouter migrate [status]      [--data-dir DIR]
  batchrouter admin create-key      [--name NAME] [--data-dir DIR]
  batchrouter credits grant --org ORG --amount 25.00 [--note TEXT] [--reference REF] [--data-dir DIR]
  batchrouter sim [--port N] [--host H] [--data-dir DIR]
  batchrouter edge --router URL --join-token TOKEN --upstream URL [--data-dir DIR] [--concurrency N] [--models m1,m2] [--port P]
  batchrouter fleet token create --trust restricted --region R [--ttl 1h] | fleet nodes | fleet revoke NODE
  batchrouter version | help
${GROUPS_USAGE}
Every flag can also be set as BATCHROUTER_<FLAG> (e.g. BATCHROUTER_DATA_DIR).`

const OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  demo: { type: 'boolean' },
  name: { type: 'string' },
  org: { type: 'string' },
  amount: { type: 'string' },
  note: { type: 'string' },
  reference: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'edge') return runEdge(argv.slice(1))
  const group = argv[0] === undefined ? undefined : COMMAND_GROUPS[argv[0]]
  if (group) return group(argv.slice(1))
  let parsed
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true })
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`)
    return 2
  }
  const { values, positionals } = parsed
  const [command = 'serve', sub] = positionals
  if (values.help || command === 'help') {
    console.log(USAGE)
    return 0
  }
  if (command === 'version') {
    console.log(VERSION)
    return 0
  }
  if (command === 'sim') return runSim({ host: values.host ?? '127.0.0.1', port: Number(values.port ?? 0), dataDir: values['data-dir'] })
  const flags: ConfigFlags = { host: values.host, port: values.port, 'data-dir': values['data-dir'], config: values.config, demo: values.demo }
  const config = loadConfig(flags)
  switch (command) {
    case 'serve':
      return runServe(config)
    case 'migrate':
      return runMigrate(config, sub)
    case 'admin':
      return runAdmin(config, sub, { name: values.name })
    case 'credits':
      return runCredits(config, sub, { org: values.org, amount: values.amount, note: values.note, reference: values.reference })
    default:
      console.error(`unknown command '${command}'\n\n${USAGE}`)
      return 2
  }
}

main(Bun.argv.slice(2)).then(
  (code) => {
    if (code !== -1) process.exit(code)
  },
  (err) => {
    if (err instanceof ConfigError) {
      console.error(err.message)
      process.exit(2)
    }
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err))
    process.exit(1)
  },
)
