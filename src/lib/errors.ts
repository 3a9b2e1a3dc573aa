/**
 * AppError and the envelope renderer. Every non-2xx response body is
 * `{error:{code, type, message, param, details?, request_id}}` (contract §0).
 */
import { ERROR_CODES, type ErrorCode } from './error-codes'

export interface AppErrorOptions {
  message: string
  param?: string | null
  details?: Record<string, unknown>
  /** Seconds for `retry-after` on 429/503. */
  retryAfter?: number
}

/** The one error type services throw; its `code` decides status and type through the registry. */
export class AppError extends Error {
  readonly code: ErrorCode
  readonly param: string | null
  readonly details?: Record<string, unknown>
  readonly retryAfter?: number
  constructor(code: ErrorCode, opts: AppErrorOptions) {
    super(opts.message)
    this.code = code
    this.param = opts.param ?? null
    this.details = opts.details
    this.retryAfter = opts.retryAfter
  }
  get status(): number {
    return ERROR_CODES[this.code].status
  }
}

/** Seconds a client is asked to wait after a full disk (the operator has to free space). */
const STORAGE_FULL_RETRY_S = 30

/**
 * The clear answer to a write that failed because the data disk is full — a file write (ENOSPC)
 * or SQLite (SQLITE_FULL, "database or disk is full") — else null. Every write is one transaction
 * or a temp file renamed into place, so nothing half-written is kept.
 */
export function storageFullError(err: unknown): AppError | null {
  const e = err as { code?: unknown; errno?: unknown; message?: unknown } | null
  const code = typeof e?.code === 'string' ? e.code : ''
  const message = typeof e?.message === 'string' ? e.message : ''
  if (code !== 'ENOSPC' && code !== 'SQLITE_FULL' && !/database or disk is full|no space left on device/i.test(message)) return null
  return new AppError('storage_full', { message: "The server's data disk is full, so nothing was stored. Try again later; the operator must free space on the data directory.", retryAfter: STORAGE_FULL_RETRY_S })
}

/** Shorthand for the most common refusal: 404 with a message naming what was not found. */
export function notFound(what: string, id: string): AppError {
  return new AppError('not_found', { message: `No ${what} found with id '${id}'.`, param: 'id' })
}

/** Renders an AppError as the JSON envelope Response, with retry headers where the contract asks. */
export function errorResponse(err: AppError, requestId: string): Response {
  const { status, type } = ERROR_CODES[err.code]
  const body = {
    error: {
      code: err.code,
      type,
      message: err.message,
      param: err.param,
      ...(err.details ? { details: err.details } : {}),
      request_id: requestId,
    },
  }
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-request-id': requestId }
  if (status === 429 || status === 503) headers['retry-after'] = String(err.retryAfter ?? 1)
  if (status === 402 || status === 409) headers['x-should-retry'] = 'false'
  return new Response(JSON.stringify(body), { status, headers })
}
