/**
 * How commands print: JSON (pretty, one document on stdout) with --json or whenever stdout is not
 * a terminal; aligned human text otherwise. Errors go to stderr as their message and code.
 */
import { CliError, EXIT } from './exit-codes'

/** True when the command must print JSON. */
export function isJsonOutput(flag: boolean | undefined): boolean {
  return flag === true || !process.stdout.isTTY
}

/** Prints one JSON document on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n')
}

/** Prints rows as left-aligned columns under `headers` (empty list: `empty` instead). */
export function printTable(headers: string[], rows: string[][], empty = '(none)'): void {
  if (rows.length === 0) {
    console.log(empty)
    return
  }
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')
  console.log(line(headers))
  for (const row of rows) console.log(line(row))
}

/** Bytes as a short human size (`1.2 MB`). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`
  const units = ['kB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = -1
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  return `${value.toFixed(1)} ${units[unit]}`
}

/** ISO or unix-seconds time as `YYYY-MM-DD HH:MM` UTC. */
export function formatTime(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '-'
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value)
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString().slice(0, 16).replace('T', ' ')
}

/**
 * Runs a command body and turns its outcome into an exit code: CliErrors print their message on
 * stderr (and, in JSON mode, the error as JSON on stdout); anything else is exit 1.
 */
export async function runReporting(json: boolean, body: () => Promise<number>): Promise<number> {
  try {
    return await body()
  } catch (err) {
    if (!(err instanceof CliError)) throw err
    process.stderr.write(`error: ${err.message}\n`)
    if (json && err.envelope) printJson({ error: { message: err.message, ...err.envelope } })
    return err.exitCode
  }
}

/** Reads one y/n answer from the terminal; anything but y/yes is no. */
export async function confirm(question: string): Promise<boolean> {
  process.stdout.write(`${question} [y/N] `)
  for await (const line of console) return /^\s*y(es)?\s*$/i.test(line)
  return false
}

/** Throws the usage-error CliError. */
export function fail(message: string, exitCode: (typeof EXIT)[keyof typeof EXIT] = EXIT.failure): never {
  throw new CliError(message, exitCode)
}
