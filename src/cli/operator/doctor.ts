/** `batchrouter doctor`: checks config, data dir and disk, database, clock and provider credentials. Exit 1 when any check fails. */
import { OPERATOR_OPTIONS } from '../args'
import { EXIT, EXIT_CODES_HELP } from '../exit-codes'
import { printJson } from '../output'
import { isDataDirInUse } from '../../instance-lock'
import { dataDirPaths } from '../../storage'
import { existsSync } from 'node:fs'
import { checkDatabase, checkDataDir, checkProviders, type Check } from './doctor-checks'
import { runOperator } from './run'

export const DOCTOR_USAGE = `Usage:
  batchrouter doctor [--data-dir DIR] [--config FILE] [--json]
Checks the configuration, the data dir (writable, free disk), the database (integrity, migrations at
head), the clock, and each configured provider's credential with one cheap call (its models list).
Read-only; safe while the server runs.

${EXIT_CODES_HELP}`

/** Entry of `doctor`. */
export function runDoctorCommand(argv: string[]): Promise<number> {
  return runOperator(argv, OPERATOR_OPTIONS, DOCTOR_USAGE, async ({ json, config }) => {
    const { dataDir } = dataDirPaths(config.dataDir)
    const checks: Check[] = [
      { name: 'config', status: 'ok', detail: config.configPath ? `valid: ${config.configPath}` : 'valid (defaults, environment and flags; no config file)' },
      { name: 'server', status: 'ok', detail: existsSync(dataDir) && isDataDirInUse(dataDir) ? 'a router is serving this data dir' : 'no router holds this data dir' },
      checkDataDir(config),
      ...checkDatabase(config),
      ...(await checkProviders(config)),
    ]
    const ok = checks.every((c) => c.status !== 'fail')
    if (json) printJson({ ok, checks })
    else {
      for (const c of checks) console.log(`${c.status.padEnd(4)}  ${c.name.padEnd(20)}  ${c.detail}`)
      console.log(ok ? 'all checks passed' : 'some checks failed')
    }
    return ok ? EXIT.ok : EXIT.failure
  })
}
