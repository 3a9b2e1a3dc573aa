/** Command-line parsing for the command groups: strict flags, usage errors as exit code 2. */
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { CliError, EXIT } from './exit-codes'

type Options = NonNullable<ParseArgsConfig['options']>

/** Flags every client command takes. */
export const CLIENT_OPTIONS = {
  'base-url': { type: 'string' },
  'api-key': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options

/** Flags every operator command takes (the data dir and config, as for `serve`). */
export const OPERATOR_OPTIONS = {
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options

/** Parses `argv` against `options`; an unknown flag or a missing value throws CliError (exit 2) with `usage`. */
export function parseCommand<O extends Options>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true })
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n\n${usage}`, EXIT.usage)
  }
}

/** Throws a usage error (exit 2) with `message` and the command's usage. */
export function usageError(message: string, usage: string): never {
  throw new CliError(`${message}\n\n${usage}`, EXIT.usage)
}

/** A positive whole number flag, or `fallback`; anything else is a usage error. */
export function intFlag(value: string | undefined, name: string, fallback: number, usage: string, max = 10_000): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > max) usageError(`--${name} must be a whole number from 1 to ${max}`, usage)
  return n
}

/** Checks `value` against a closed set; a usage error names the allowed values. */
export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], name: string, usage: string): T | undefined {
  if (value === undefined) return undefined
  if (!(allowed as readonly string[]).includes(value)) usageError(`--${name} must be one of ${allowed.join(', ')} (got '${value}')`, usage)
  return value as T
}
