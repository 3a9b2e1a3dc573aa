/**
 * Conditional GETs for JSON reads that pollers repeat (a batch's status, its results pages).
 *
 * The ETag is a hash of the exact body bytes, so it changes whenever anything visible changes
 * and never when nothing did — no version counter to forget to bump. The body is still built for
 * every request; what a match saves is serialising, sending and parsing it again.
 */

/** A strong ETag for `body`: 64-bit wyhash of its bytes, base-36. */
export function etagOf(body: string): string {
  return `"${Bun.hash(body).toString(36)}"`
}

/** True when an If-None-Match header value names `etag` (or `*`); weak comparison, as RFC 9110 asks for If-None-Match. */
export function matchesIfNoneMatch(header: string | null, etag: string): boolean {
  if (!header) return false
  for (const raw of header.split(',')) {
    const tag = raw.trim()
    if (tag === '*' || tag === etag || tag === `W/${etag}`) return true
  }
  return false
}

/**
 * `body` (already JSON) as a 200 with its ETag, or a bodiless 304 when the request's
 * If-None-Match names it. `private, no-cache`: only the caller's own cache may keep it, and only
 * to revalidate (the answer depends on the bearer key).
 */
export function conditionalJson(request: Request, body: string): Response {
  const etag = etagOf(body)
  const headers = { etag, 'cache-control': 'private, no-cache' }
  if (matchesIfNoneMatch(request.headers.get('if-none-match'), etag)) return new Response(null, { status: 304, headers })
  return new Response(body, { status: 200, headers: { ...headers, 'content-type': 'application/json' } })
}
