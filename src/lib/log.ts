/**
 * Structured JSON logs through pino: one object per line, `{level, time, msg, …fields}`, written
 * synchronously to stdout (no worker-thread transport, so it works inside `bun build --compile`
 * and a crash loses no line). `level` filters below the threshold; `silent` writes nothing.
 */
import pino from 'pino'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'

export interface Log {
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
  /** A logger that adds `bindings` (e.g. `batch_id`) to every line it writes (a pino child). */
  child(bindings: Record<string, unknown>): Log
}

/** Creates a logger writing JSON lines to `write` (stdout, synchronously, by default). */
export function createLog(level: LogLevel, write?: (line: string) => void): Log {
  const destination = write ? { write } : pino.destination({ dest: 1, sync: true })
  const logger = pino(
    {
      level,
      base: undefined, // no pid/hostname on every line
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  )
  return wrap(logger)
}

function wrap(logger: pino.Logger): Log {
  return {
    debug: (msg, fields) => logger.debug(fields ?? {}, msg),
    info: (msg, fields) => logger.info(fields ?? {}, msg),
    warn: (msg, fields) => logger.warn(fields ?? {}, msg),
    error: (msg, fields) => logger.error(fields ?? {}, msg),
    child: (bindings) => wrap(logger.child(bindings)),
  }
}
