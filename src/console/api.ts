/**
 * The console's one door to the server: same-origin calls to /v1 that carry the session cookie
 * (the browser sends it; the page never sees it) and, on every state change, the CSRF token held
 * here in memory. Errors come back as ApiError with the envelope's code and message.
 */

/** A non-2xx answer: the error envelope's fields (contract §0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly param: string | null = null,
    readonly details: unknown = null,
  ) {
    super(message)
  }
}

let csrfToken: string | null = null
let sessionEnded: (() => void) | null = null

/** Remembers the session's CSRF token (memory only: never localStorage or sessionStorage). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token
}

/** Called when a request answers 401: the session ended (expired, signed out, key revoked). */
export function onSessionEnded(handler: () => void): void {
  sessionEnded = handler
}

export interface CallOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE'
  /** Sent as JSON. */
  json?: unknown
  /** Sent as is (a File streams from disk). */
  body?: BodyInit
  headers?: Record<string, string>
}

/** Calls the API and answers the parsed JSON; throws ApiError for any non-2xx. */
export async function api<T = any>(path: string, opts: CallOptions = {}): Promise<T> {
  const method = opts.method ?? 'GET'
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers }
  if (opts.json !== undefined) headers['content-type'] = 'application/json'
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken
  let res: Response
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', body: opts.json !== undefined ? JSON.stringify(opts.json) : opts.body })
  } catch {
    throw new ApiError(0, 'network_error', 'The router did not answer. Check that it is running and reachable, then try again.')
  }
  const text = await res.text()
  const body = text ? safeJson(text) : null
  if (res.ok) return body as T
  const error = (body as { error?: { code?: string; message?: string; param?: string | null; details?: unknown } } | null)?.error
  if (res.status === 401 && !path.startsWith('/v1/auth/session')) sessionEnded?.()
  throw new ApiError(res.status, error?.code ?? 'http_error', error?.message ?? `The router answered ${res.status}.`, error?.param ?? null, error?.details ?? null)
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** `path?k=v…` leaving out empty values. */
export function withQuery(path: string, query: Record<string, string | number | undefined | null>): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v))
  const qs = params.toString()
  return qs ? `${path}?${qs}` : path
}
