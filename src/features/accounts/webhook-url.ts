/**
 * The static half of the webhook URL rules (contract §7): `https://` only, no credentials, and no
 * literal loopback/private/link-local/CGNAT/multicast/metadata address or `localhost` name. The
 * resolve-then-check half (a hostname that resolves privately) belongs to lib/safe-fetch at send time.
 */
import { isIP } from 'node:net'
import { AppError } from '../../http/errors'

/** IPv4 ranges a webhook may never target, as [network, prefix length]. */
const BLOCKED_V4: Array<[string, number]> = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
]

/** Host names that always mean "this machine" or a metadata service. */
const BLOCKED_NAMES = /^(localhost|.*\.localhost|metadata\.google\.internal|metadata|instance-data)\.?$/i

function v4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0)
}

/** True for an IPv4 literal inside any blocked range. */
export function isBlockedIpv4(ip: string): boolean {
  const value = v4ToInt(ip)
  return BLOCKED_V4.some(([net, bits]) => Math.floor(value / 2 ** (32 - bits)) === Math.floor(v4ToInt(net) / 2 ** (32 - bits)))
}

/** True for an IPv6 literal that is unspecified, loopback, unique-local, link-local, multicast or a mapped blocked IPv4. */
export function isBlockedIpv6(ip: string): boolean {
  const lower = ip.toLowerCase()
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower) ?? /^::(\d+\.\d+\.\d+\.\d+)$/.exec(lower)
  if (mapped?.[1]) return isBlockedIpv4(mapped[1])
  const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower)
  if (hexMapped?.[1] && hexMapped[2]) {
    const hi = parseInt(hexMapped[1], 16)
    const lo = parseInt(hexMapped[2], 16)
    return isBlockedIpv4(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`)
  }
  if (lower === '::' || lower === '::1') return true
  const first = parseInt(lower.split(':')[0] || '0', 16)
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00
}

/** Throws 400 unsafe_webhook_url (or validation_failed for a non-URL) unless `url` may receive webhooks. */
export function checkWebhookUrl(url: string, param = 'url'): URL {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new AppError('validation_failed', { message: `${param} must be an absolute URL such as https://example.com/hooks/batchrouter.`, param })
  }
  const refuse = (why: string) => new AppError('unsafe_webhook_url', { message: `Webhook URL refused: ${why}.`, param })
  if (parsed.protocol !== 'https:') throw refuse('it must start with https://')
  if (parsed.username || parsed.password) throw refuse('it must not carry a user name or password')
  const host = parsed.hostname.replace(/^\[|\]$/g, '')
  if (BLOCKED_NAMES.test(host)) throw refuse(`'${host}' is a local or metadata host name`)
  const family = isIP(host)
  if ((family === 4 && isBlockedIpv4(host)) || (family === 6 && isBlockedIpv6(host))) throw refuse(`${host} is a loopback, private, link-local or otherwise non-public address`)
  return parsed
}
