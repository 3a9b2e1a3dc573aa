/**
 * The node's HTTP calls to the router (outbound only: the router never connects to a node).
 * A network failure or a 5xx/429 is `RouterUnreachable` (back off and retry); any other answer is
 * returned with its status for the caller to act on.
 */

/** The router could not be reached or is not answering well right now. */
export class RouterUnreachable extends Error {}

/** One answer from the router. */
export interface RouterAnswer<T = any> {
  status: number
  body: T
}

/** POSTs JSON to `router` + `path` with the node token (when given); `signal` aborts a long poll. */
export async function postRouter<T = any>(router: string, path: string, body: unknown, token?: string, signal?: AbortSignal, timeoutMs = 60_000): Promise<RouterAnswer<T>> {
  const timeout = AbortSignal.timeout(timeoutMs)
  let res: Response
  try {
    res = await fetch(`${router}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    })
  } catch (err) {
    throw new RouterUnreachable(`router ${router} unreachable: ${err instanceof Error ? err.message : String(err)}`)
  }
  const text = await res.text().catch(() => '')
  if (res.status >= 500 || res.status === 429) throw new RouterUnreachable(`router answered HTTP ${res.status}`)
  let parsed: unknown = null
  try {
    parsed = text ? JSON.parse(text) : null
  } catch {
    parsed = text
  }
  return { status: res.status, body: parsed as T }
}

/** Exponential back-off with jitter: 250 ms doubling to 30 s. */
export function backoffMs(failures: number): number {
  const base = Math.min(30_000, 250 * 2 ** Math.min(failures, 10))
  return base / 2 + Math.random() * (base / 2)
}
