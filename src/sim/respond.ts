/**
 * Response helpers shared by the simulator's route modules, and the route shape they export.
 * Errors use OpenAI's envelope `{"error":{"message","type","param","code"}}` (research §A.1).
 */
import type { SimState } from './state'

/** What a route handler receives. */
export interface SimContext {
  request: Request
  state: SimState
  /** Path parameters named `:name` in the route pattern. */
  params: Record<string, string>
  /** Milliseconds since the epoch (injectable for tests). */
  now: () => number
}

/** One route of a dialect module; `pattern` is an absolute path; `:name` matches one segment, a final `*name` the rest. */
export interface SimRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  pattern: string
  handle(ctx: SimContext): Promise<Response> | Response
}

/** A JSON response with `status` (default 200). */
export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })
}

/** The OpenAI `type` for an error status. */
export function errorTypeFor(status: number): string {
  if (status === 401) return 'authentication_error'
  if (status === 403) return 'permission_error'
  if (status === 404) return 'not_found_error'
  if (status === 429) return 'rate_limit_error'
  if (status >= 500) return 'server_error'
  return 'invalid_request_error'
}

/** An OpenAI error envelope response. */
export function openAiError(status: number, message: string, opts: { param?: string | null; code?: string | null; type?: string; headers?: Record<string, string> } = {}): Response {
  const error = { message, type: opts.type ?? errorTypeFor(status), param: opts.param ?? null, code: opts.code ?? null }
  return jsonResponse({ error }, status, opts.headers)
}

/** Anthropic's error `type` for a status (research §B.1). */
export function anthropicErrorTypeFor(status: number): string {
  if (status === 401) return 'authentication_error'
  if (status === 403) return 'permission_error'
  if (status === 404) return 'not_found_error'
  if (status === 413) return 'request_too_large'
  if (status === 429) return 'rate_limit_error'
  if (status === 503 || status === 529) return 'overloaded_error'
  if (status === 504) return 'timeout_error'
  if (status >= 500) return 'api_error'
  return 'invalid_request_error'
}

/** An Anthropic error envelope response: `{type:"error", error:{type, message}, request_id}`. */
export function anthropicError(status: number, message: string, type?: string, headers: Record<string, string> = {}): Response {
  return jsonResponse({ type: 'error', error: { type: type ?? anthropicErrorTypeFor(status), message }, request_id: null }, status, headers)
}

/** A 400 invalid_request_error naming the offending `param`. */
export function invalidRequest(message: string, param: string | null, code: string | null = null): Response {
  return openAiError(400, message, { param, code })
}

/** Reads a JSON object body, or returns the 400 OpenAI answers for an unparseable one. */
export async function readJsonObject(request: Request): Promise<{ ok: true; body: Record<string, unknown> } | { ok: false; response: Response }> {
  const text = await request.text()
  try {
    const body: unknown = JSON.parse(text)
    if (body !== null && typeof body === 'object' && !Array.isArray(body)) return { ok: true, body: body as Record<string, unknown> }
  } catch {
    // fall through to the 400 below
  }
  return { ok: false, response: invalidRequest('We could not parse the JSON body of your request. Send a JSON object with Content-Type: application/json.', null) }
}

/** Resolves after `ms`, or earlier when `signal` aborts. */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}
