/**
 * The client commands' HTTP client: talks to `/v1` like any API client, with the bearer key,
 * retries what is safe to retry (network errors, 429, 502–504, honouring retry-after), and turns
 * error envelopes into CliErrors carrying the message, the code and the right exit code.
 */
import { CliError, EXIT } from '../exit-codes'

/** Where the router is and the key to use. */
export interface Connection {
  /** Origin without `/v1`, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string
  apiKey: string
}

export interface RequestOptions {
  /** A JSON body (sets content-type). */
  json?: unknown
  /** A raw body (a file); re-sendable on retry. */
  body?: Blob
  headers?: Record<string, string>
  /** Retry network errors, 429 and 502–504 (default: true for GET/DELETE, false otherwise). */
  retry?: boolean
}

const RETRY_DELAYS_MS = [250, 500, 1000, 2000]
const RETRY_STATUSES = new Set([429, 502, 503, 504])

/** Resolves the connection from flags, then BATCHROUTER_BASE_URL / BATCHROUTER_API_KEY; no key is exit 3. */
export function resolveConnection(flags: { 'base-url'?: string; 'api-key'?: string }, env: Record<string, string | undefined> = process.env): Connection {
  const raw = flags['base-url'] ?? env.BATCHROUTER_BASE_URL ?? 'http://127.0.0.1:8080'
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new CliError(`base URL '${raw}' is not a URL; set BATCHROUTER_BASE_URL or --base-url to e.g. http://127.0.0.1:8080`, EXIT.usage)
  }
  // Accept the OpenAI SDK style `…/v1` as well as the bare origin.
  const baseUrl = url.toString().replace(/\/+$/, '').replace(/\/v1$/, '')
  const apiKey = flags['api-key'] ?? env.BATCHROUTER_API_KEY ?? ''
  if (!apiKey) throw new CliError('no API key: set BATCHROUTER_API_KEY or pass --api-key br_live_…', EXIT.auth)
  return { baseUrl, apiKey }
}

/** Sends one request to `path` (starting with /v1, or an absolute signed link) and returns the response; non-2xx throws CliError. */
export async function apiFetch(conn: Connection, method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
  const retry = opts.retry ?? (method === 'GET' || method === 'DELETE')
  // An absolute URL (a signed artifact link) needs no key; it is never sent to another origin.
  const url = /^https?:\/\//.test(path) ? path : `${conn.baseUrl}${path}`
  const sameOrigin = new URL(url).origin === new URL(conn.baseUrl).origin
  const headers: Record<string, string> = { ...(sameOrigin ? { authorization: `Bearer ${conn.apiKey}` } : {}), 'user-agent': 'batchrouter-cli', ...opts.headers }
  let body: Blob | string | undefined = opts.body
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(opts.json)
  }
  for (let attempt = 0; ; attempt++) {
    let res: Response
    try {
      res = await fetch(url, { method, headers, body })
    } catch (err) {
      if (retry && attempt < RETRY_DELAYS_MS.length) {
        await Bun.sleep(RETRY_DELAYS_MS[attempt]!)
        continue
      }
      throw new CliError(`cannot reach BatchRouter at ${conn.baseUrl} (${(err as Error).message}); is it running? Set BATCHROUTER_BASE_URL or --base-url.`, EXIT.failure)
    }
    if (res.ok) return res
    if (retry && RETRY_STATUSES.has(res.status) && attempt < RETRY_DELAYS_MS.length) {
      await res.body?.cancel()
      await Bun.sleep(retryDelay(res, attempt))
      continue
    }
    throw await errorFrom(res)
  }
}

/** `apiFetch` and parse the JSON answer. */
export async function apiJson<T = any>(conn: Connection, method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await apiFetch(conn, method, path, opts)
  return (await res.json()) as T
}

function retryDelay(res: Response, attempt: number): number {
  const seconds = Number(res.headers.get('retry-after'))
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 60) * 1000 : RETRY_DELAYS_MS[attempt]!
}

/** The error envelope (contract §0) as a CliError: message + code; 401/403 exit 3, other 4xx exit 5, else 1. */
async function errorFrom(res: Response): Promise<CliError> {
  const text = await res.text()
  let error: { code?: string; message?: string; request_id?: string; param?: string | null; details?: unknown } | undefined
  try {
    error = (JSON.parse(text) as { error?: typeof error }).error
  } catch {
    // not an envelope (a proxy in between?)
  }
  const code = error?.code ?? `http_${res.status}`
  const message = error?.message ?? `HTTP ${res.status} ${res.statusText}${text ? `: ${text.slice(0, 200)}` : ''}`
  const exitCode = res.status === 401 || res.status === 403 ? EXIT.auth : res.status >= 400 && res.status < 500 ? EXIT.refused : EXIT.failure
  const preflight = (error?.details as { preflight?: { line: number | null; message: string }[] } | undefined)?.preflight
  const lines = preflight?.slice(0, 10).map((p) => `\n  ${p.line !== null && p.line !== undefined ? `line ${p.line}: ` : ''}${p.message}`).join('') ?? ''
  return new CliError(`${message} (${code})${lines}`, exitCode, { code, status: res.status, request_id: error?.request_id, param: error?.param ?? null, details: error?.details })
}
