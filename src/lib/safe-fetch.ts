/**
 * SSRF-safe outbound HTTP (design §8, contract §7), used for webhooks. A URL must be `https://`
 * (plain `http://` only to operator-allowlisted hosts when the operator allows it), carry no
 * user name or password, and name no local or metadata host. At send time the host is resolved
 * once, every answer must be public unicast (ipaddr.js ranges; IPv4-mapped IPv6 is unwrapped
 * first), and the request goes to the checked address itself — `Host` and the TLS server name
 * keep the original host — with no redirects followed. Nothing here knows about the app: the
 * policy and the transport (resolver + fetch, stubbed in tests) are passed in.
 *
 * Checked on Bun 1.4.5 (test/lib/safe-fetch.test.ts, against loopback servers): fetch sends a
 * caller-set `Host` header as given; `tls.serverName` sets SNI and is the name the certificate
 * is verified against when the URL names an IP; `redirect: 'manual'` hands back the 3xx.
 */
import ipaddr from 'ipaddr.js'
import { isIP } from 'node:net'
import { lookup } from 'node:dns/promises'

/** What the operator allows beyond public https (config `webhooks`). */
export interface SafeUrlPolicy {
  /** Host names, IP addresses or CIDRs trusted even when private (e.g. `hooks.internal`, `10.0.0.0/8`). */
  allowHosts: readonly string[]
  /** Permit plain `http://` to hosts named in `allowHosts` (or IP literals inside its CIDRs). */
  allowHttp: boolean
}

/** No allowlist, https only: what a URL is checked against when no config is at hand. */
export const STRICT_URL_POLICY: SafeUrlPolicy = Object.freeze({ allowHosts: [], allowHttp: false })

/** Why a URL or a resolved address was refused. */
export const UNSAFE_URL_REASONS = [
  'invalid_url', // not an absolute URL
  'scheme', // not https:// (nor an allowed http://)
  'userinfo', // a user name or password in the URL
  'blocked_name', // localhost, *.localhost or a cloud metadata host name
  'blocked_address', // a literal or resolved address that is not public unicast
  'unresolvable', // DNS gave no usable answer
] as const
export type UnsafeUrlReason = (typeof UNSAFE_URL_REASONS)[number]

/** Thrown before any connection is opened; `message` is safe to show to the URL's owner. */
export class UnsafeUrlError extends Error {
  constructor(readonly reason: UnsafeUrlReason, message: string) {
    super(message)
  }
}

/** The I/O safeFetch needs; tests pass a stub resolver (and a spy fetch) so nothing leaves loopback. */
export interface SafeFetchTransport {
  /** Every address the name resolves to (A and AAAA), in resolver order. */
  resolve(hostname: string): Promise<string[]>
  fetch(url: string, init: SafeFetchInit): Promise<Response>
}

/** What safeFetch hands to the transport's fetch: Bun's fetch options (`tls.serverName`). */
export type SafeFetchInit = RequestInit & { tls?: { serverName?: string } }

/** The real resolver (getaddrinfo via node:dns) and Bun's fetch. */
export const systemTransport: SafeFetchTransport = {
  async resolve(hostname) {
    return (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address)
  },
  fetch: (url, init) => fetch(url, init),
}

/** Names that always mean this machine or a metadata service, whatever DNS says. */
const BLOCKED_NAMES = /^(localhost|.+\.localhost|metadata\.google\.internal|metadata|instance-data)$/

/**
 * True for a public unicast address. Refuses loopback, private, link-local (169.254.169.254),
 * CGNAT, unique-local, multicast, unspecified, broadcast, reserved/documentation, NAT64/6to4/Teredo
 * and IPv4-compatible forms; IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is judged as its IPv4 address.
 */
export function isPublicAddress(ip: string): boolean {
  if (!isIP(ip)) return false
  let addr = ipaddr.parse(ip)
  if (addr.kind() === 'ipv6') {
    const v6 = addr as ipaddr.IPv6
    if (v6.isIPv4MappedAddress()) addr = v6.toIPv4Address()
    else if (v6.match(ipaddr.IPv6.parse('::'), 96)) return false // IPv4-compatible (deprecated) and ::/96
  }
  return addr.range() === 'unicast'
}

/** Throws when an `allowHosts` entry is neither a host name, an IP address nor a valid CIDR. */
export function assertAllowHostEntry(entry: string): void {
  if (entry.includes('/')) {
    if (!ipaddr.isValidCIDR(entry)) throw new Error(`"${entry}" is not a valid CIDR`)
  } else if (!isIP(entry) && !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i.test(entry)) {
    throw new Error(`"${entry}" is not a host name, IP address or CIDR`)
  }
}

interface AllowList {
  hasName(host: string): boolean
  hasAddress(ip: string): boolean
}

function allowListOf(policy: SafeUrlPolicy): AllowList {
  const names = new Set<string>()
  const ranges: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]> = []
  for (const raw of policy.allowHosts) {
    const entry = raw.trim().toLowerCase().replace(/^\[|\]$/g, '')
    if (entry.includes('/') && ipaddr.isValidCIDR(entry)) ranges.push(ipaddr.parseCIDR(entry))
    else if (isIP(entry)) ranges.push([ipaddr.parse(entry), entry.includes(':') ? 128 : 32])
    else names.add(entry.replace(/\.$/, ''))
  }
  return {
    hasName: (host) => names.has(host),
    hasAddress(ip) {
      if (!isIP(ip)) return false
      const candidates = [ipaddr.parse(ip)]
      const first = candidates[0]!
      if (first.kind() === 'ipv6' && (first as ipaddr.IPv6).isIPv4MappedAddress()) candidates.push((first as ipaddr.IPv6).toIPv4Address())
      return candidates.some((a) => ranges.some(([net, bits]) => a.kind() === net.kind() && a.match(net, bits)))
    },
  }
}

/** The URL's host without IPv6 brackets or a trailing dot, lowercase. */
function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase()
}

/**
 * The static checks (no DNS): a URL a webhook may be configured with. Returns the parsed URL;
 * throws UnsafeUrlError naming the first problem.
 */
export function assertSafeUrl(raw: string, policy: SafeUrlPolicy = STRICT_URL_POLICY): URL {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new UnsafeUrlError('invalid_url', 'it is not an absolute URL such as https://example.com/hooks/batchrouter')
  }
  if (url.username || url.password) throw new UnsafeUrlError('userinfo', 'it must not carry a user name or password')
  const host = bareHost(url)
  const allow = allowListOf(policy)
  const trusted = allow.hasName(host) || allow.hasAddress(host)
  if (url.protocol === 'http:') {
    if (!policy.allowHttp || !trusted) throw new UnsafeUrlError('scheme', 'it must start with https://')
  } else if (url.protocol !== 'https:') {
    throw new UnsafeUrlError('scheme', 'it must start with https://')
  }
  if (trusted) return url
  if (BLOCKED_NAMES.test(host)) throw new UnsafeUrlError('blocked_name', `'${host}' is a local or metadata host name`)
  if (isIP(host) && !isPublicAddress(host)) throw new UnsafeUrlError('blocked_address', `${host} is a loopback, private, link-local or otherwise non-public address`)
  return url
}

/** Resolves once and checks every answer; returns the address to connect to. */
async function resolveChecked(url: URL, policy: SafeUrlPolicy, transport: SafeFetchTransport): Promise<string> {
  const host = bareHost(url)
  if (isIP(host)) return host
  let answers: string[]
  try {
    answers = await transport.resolve(host)
  } catch {
    throw new UnsafeUrlError('unresolvable', `${host} does not resolve`)
  }
  if (answers.length === 0) throw new UnsafeUrlError('unresolvable', `${host} does not resolve`)
  const allow = allowListOf(policy)
  const nameTrusted = allow.hasName(host)
  for (const address of answers) {
    if (!isIP(address)) throw new UnsafeUrlError('unresolvable', `${host} resolved to something that is not an IP address`)
    if (!nameTrusted && !allow.hasAddress(address) && !isPublicAddress(address)) {
      throw new UnsafeUrlError('blocked_address', `${host} resolves to ${address}, a loopback, private, link-local or otherwise non-public address`)
    }
  }
  return answers[0]!
}

export interface SafeFetchRequest {
  method: 'POST' | 'GET' | 'PUT'
  headers: Record<string, string>
  body?: string
  timeoutMs: number
}

/**
 * Sends one request to `raw` after the static and DNS checks, connected to the checked address
 * (`Host` header and TLS server name keep the original host). Redirects are returned, never
 * followed. Throws UnsafeUrlError before any connection when a check fails; network errors and
 * the timeout (an AbortSignal `TimeoutError`) are thrown as they come.
 */
export async function safeFetch(raw: string, req: SafeFetchRequest, policy: SafeUrlPolicy, transport: SafeFetchTransport = systemTransport): Promise<Response> {
  const url = assertSafeUrl(raw, policy)
  const address = await resolveChecked(url, policy, transport)
  const target = new URL(url.href)
  target.hostname = address.includes(':') ? `[${address}]` : address
  const hostIsName = !isIP(bareHost(url))
  return transport.fetch(target.href, {
    method: req.method,
    headers: { ...req.headers, host: url.host },
    body: req.body,
    redirect: 'manual',
    signal: AbortSignal.timeout(req.timeoutMs),
    ...(url.protocol === 'https:' && hostIsName ? { tls: { serverName: bareHost(url) } } : {}),
  })
}
