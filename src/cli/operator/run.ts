/**
 * Shared frame of the operator commands: strict flags, the config (`--config`, `--data-dir`, env)
 * loaded as for `serve`, the data dir opened beside a running router, and errors as exit codes.
 */
import type { ParseArgsConfig } from 'node:util'
import { existsSync } from 'node:fs'
import { ConfigError, loadConfig, type Config } from '../../config'
import type { Deps } from '../../deps'
import { AppError } from '../../lib/errors'
import { parseCommand } from '../args'
import { CliError, EXIT } from '../exit-codes'
import { isJsonOutput, runReporting } from '../output'
import { openStore } from '../open-store'
import { dataDirPaths } from '../../storage'

type Options = NonNullable<ParseArgsConfig['options']>

/** What an operator command body receives. */
export interface OperatorContext<V> {
  values: V
  positionals: string[]
  json: boolean
  config: Config
  /**
   * Opens the data dir (migrated), runs `fn`, closes it. Without `create`, a data dir that has no
   * database yet is a usage error (a mistyped --data-dir must not make an empty one).
   */
  withStore<T>(fn: (deps: Deps) => T | Promise<T>, opts?: { create?: boolean }): Promise<T>
}

/** Parses, loads the config and runs `body`; AppErrors become exit 2 (unknown id, bad value) or 5, ConfigErrors 2. */
export function runOperator<O extends Options>(argv: string[], options: O, usage: string, body: (ctx: OperatorContext<ReturnType<typeof parseCommand<O>>['values']>) => Promise<number>): Promise<number> {
  const json = isJsonOutput(argv.includes('--json'))
  return runReporting(json, async () => {
    const { values, positionals } = parseCommand(argv, options, usage)
    const flags = values as { help?: boolean; 'data-dir'?: string; config?: string }
    if (flags.help || positionals[0] === 'help') {
      console.log(usage)
      return EXIT.ok
    }
    let config: Config
    try {
      config = loadConfig({ 'data-dir': flags['data-dir'], config: flags.config })
    } catch (err) {
      if (err instanceof ConfigError) throw new CliError(err.message, EXIT.usage)
      throw err
    }
    const withStore = async <T>(fn: (deps: Deps) => T | Promise<T>, opts: { create?: boolean } = {}): Promise<T> => {
      const dbPath = dataDirPaths(config.dataDir).db
      if (!opts.create && !existsSync(dbPath)) throw new CliError(`no database at ${dbPath}: check --data-dir (or BATCHROUTER_DATA_DIR); the server creates it on its first start`, EXIT.usage)
      const deps = openStore(config)
      try {
        return await fn(deps)
      } catch (err) {
        if (!(err instanceof AppError)) throw err
        throw new CliError(`${err.message} (${err.code})`, err.code === 'not_found' || err.code === 'validation_failed' ? EXIT.usage : EXIT.refused)
      } finally {
        deps.db.$client.close()
      }
    }
    return body({ values, positionals, json, config, withStore })
  })
}
