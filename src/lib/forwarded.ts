/**
 * Reading the headers a reverse proxy adds (X-Forwarded-For/-Host/-Proto). Only meaningful when
 * the operator says a trusted proxy is in front (`trustProxy`): anyone can send these headers.
 */

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*\.?|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/

/** The client address the nearest proxy saw (the last X-Forwarded-For entry), or null. */
export function forwardedClientAddress(headers: Headers): string | null {
  const list = headers.get('x-forwarded-for')
  if (!list) return null
  const last = list.split(',').map((s) => s.trim()).filter((s) => s !== '').pop()
  return last && last.length <= 64 ? last : null
}

/**
 * `proto://host` from X-Forwarded-Proto and X-Forwarded-Host (first values), or null when either
 * is missing or malformed — a malformed host is never turned into a link.
 */
export function forwardedOrigin(headers: Headers): string | null {
  const proto = headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase()
  const host = headers.get('x-forwarded-host')?.split(',')[0]?.trim()
  if ((proto !== 'http' && proto !== 'https') || !host || !HOST.test(host)) return null
  return `${proto}://${host}`
}
