/**
 * Elysia plumbing shared by every route: request ids, the error envelope for every non-2xx
 * (validation, parse, unknown route, 405, thrown AppError, unexpected exceptions), body caps.
 */
import { Elysia } from 'elysia'
import type { Deps } from '../deps'
import { AppError, errorResponse, storageFullError } from '../lib/errors'
import { buildRouteTable, type RouteTable } from './route-table'
import { newId } from '../lib/ids'

/** Largest JSON body accepted on non-upload routes (inline items up to 5000 fit easily). */
const JSON_BODY_LIMIT = 64 * 1024 * 1024

/** The base instance: every feature's routes are `.use()`d onto it by app.ts. */
export function createHttpBase(deps: Deps) {
  let routeTable: RouteTable | undefined
  const table = (app: { routes: { method: string; path: string }[] }) => (routeTable ??= buildRouteTable(app.routes))

  // 'typebox' normalization only removes unknown keys; Elysia's default ('exactMirror') rewrites a
  // value into the schema's shape before validating it (an array or a string sent as `metadata`
  // became {"0": …}), so a wrong type was accepted instead of refused.
  const base = new Elysia({ name: 'http-base', normalize: 'typebox' })
    .onRequest(({ request, set }) => {
      set.headers['x-request-id'] = requestIdOf(request)
      const length = Number(request.headers.get('content-length') ?? 0)
      const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
      // Only JSON request bodies (parsed whole by Elysia) are capped here; JSONL uploads stream to disk.
      if (length > JSON_BODY_LIMIT && type === 'application/json') {
        return errorResponse(new AppError('payload_too_large', { message: `JSON bodies are limited to ${JSON_BODY_LIMIT} bytes; upload large inputs with POST /v1/files.` }), requestIdOf(request))
      }
    })
    .onError({ as: 'global' }, ({ code, error, request, path, set }) => {
      const requestId = requestIdOf(request)
      const appError = toAppError(code, error, request.method, path, () => table(base), deps, requestId)
      const response = errorResponse(appError, requestId)
      // The request metrics read the status from `set` once the response is sent.
      set.status = response.status
      const allow = appError.details?.allow
      if (appError.code === 'method_not_allowed' && Array.isArray(allow)) response.headers.set('allow', allow.join(', '))
      return response
    })
  return base
}

function toAppError(code: unknown, error: unknown, method: string, path: string, table: () => RouteTable, deps: Deps, requestId: string): AppError {
  if (error instanceof AppError) return error
  switch (code) {
    case 'VALIDATION':
      return validationError(error)
    case 'PARSE':
      return new AppError('invalid_request', { message: 'The request body could not be parsed: send valid JSON with Content-Type: application/json.' })
    case 'NOT_FOUND': {
      const allowed = table().methodsFor(path)
      if (allowed.length > 0 && !allowed.includes(method)) {
        return new AppError('method_not_allowed', { message: `${method} is not allowed on ${path}; use ${allowed.join(', ')}.`, details: { allow: allowed } })
      }
      const hint = path.startsWith('/v1/') || path === '/v1' ? '' : ' Every API path starts with /v1: set your client base URL to http://<host>:<port>/v1.'
      return new AppError('not_found', { message: `No route for ${method} ${path}.${hint}` })
    }
    case 'INVALID_COOKIE_SIGNATURE':
    case 'INVALID_FILE_TYPE':
      return new AppError('invalid_request', { message: String((error as Error)?.message ?? 'invalid request') })
    default: {
      const full = storageFullError(error)
      if (full) {
        deps.log.error('data disk full', { request_id: requestId, method, path, error: error instanceof Error ? error.message : String(error) })
        return full
      }
      deps.log.error('unhandled error', { request_id: requestId, code: String(code), error: error instanceof Error ? (error.stack ?? error.message) : String(error) })
      return new AppError('internal_error', { message: `Something went wrong on our side. Quote request id ${requestId} when reporting it.` })
    }
  }
}

interface ValidationLike {
  type?: string
  value?: unknown
  all?: { path?: string; message?: string; summary?: string; schema?: { anyOf?: { type?: string; format?: string }[] } }[]
  message?: string
}

function validationError(error: unknown): AppError {
  const v = error as ValidationLike
  const issues = (v.all ?? []).map((e) => ({ param: jsonPointerToParam(e.path ?? ''), message: isIntegerUnion(e.schema) ? 'must be a whole number' : (e.summary ?? e.message ?? 'invalid value') }))
  const first = issues[0]
  const where = v.type === 'query' ? 'query parameter' : v.type === 'headers' ? 'header' : v.type === 'params' ? 'path parameter' : 'field'
  // Coerced parameters (e.g. a numeric query value out of range) are reported by Elysia without their name.
  const message = !first ? 'The request is invalid.' : first.param ? `Invalid ${where} '${first.param}': ${first.message}.` : v.type === 'property' ? `Invalid parameter value ${JSON.stringify(v.value)}: ${first.message}.` : `Invalid request body: ${first.message}.`
  return new AppError('validation_failed', { message, param: first?.param || null, details: { errors: issues.slice(0, 20) } })
}

/** Elysia's coerced query integers are a union of an integer string and an integer; a mismatch reads "should be one of: 'integer', 'integer'". */
function isIntegerUnion(schema: { anyOf?: { type?: string; format?: string }[] } | undefined): boolean {
  return !!schema?.anyOf?.length && schema.anyOf.every((s) => s.type === 'integer' || s.format === 'integer')
}

/** "/items/3/model" → "items[3].model" */
function jsonPointerToParam(pointer: string): string {
  return pointer
    .split('/')
    .filter(Boolean)
    .map((part, i) => (/^\d+$/.test(part) ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('')
}

// ---- Request ids: one per request, on every response and every log line about it. */

const ids = new WeakMap<Request, string>()

/** The request's id, created on first use. */
export function requestIdOf(request: Request): string {
  let id = ids.get(request)
  if (!id) {
    id = newId('request')
    ids.set(request, id)
  }
  return id
}

/** Gives `to` (a copy of a request made by the edge) the same id as `from`. */
export function shareRequestId(from: Request, to: Request): void {
  ids.set(to, requestIdOf(from))
}
