/**
 * Shared frame of the operator commands: strict flags, the config (`--config`, `--data-dir`, env)
 * loaded as for `serve`, the data dir opened beside a running router, and errors as exit codes.
 */
import type { ParseArgsConfig } from 'node:util'
import { ConfigError, loadConfig, type Config } from '../../config'
import type { Deps } from '../../deps'
import { AppError } from '../../lib/errors'
import { parseCommand } from '../args'
import { CliError, EXIT } from '../exit-codes'
import { isJsonOutput, runReporting } from '../output'
import { openStore } from '../open-store'

type Options = NonNullable<ParseArgsConfig['options']>

/** What an operator command body receives. */
export interface OperatorContext<V> {
  values: V
  positionals: string[]
  json: boolean
  config: Config
  /** Opens the data dir (migrated), runs `fn`, closes it. */
  withStore<T>(fn: (deps: Deps) => T | Promise<T>): Promise<T>
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
    const withStore = async <T>(fn: (deps: Deps) => T | Promise<T>): Promise<T> => {
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
