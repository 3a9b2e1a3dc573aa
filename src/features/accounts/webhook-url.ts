/**
 * The configuration-time webhook URL rules (contract §7), shared by the org default webhook and
 * the per-batch one: `https://` only (plain http only to operator-allowlisted hosts when allowed),
 * no credentials, no `localhost`/metadata name and no literal loopback, private, link-local,
 * CGNAT, multicast or metadata address. The checks live in lib/safe-fetch, which repeats them
 * against the DNS answers at send time.
 */
import { AppError } from '../../lib/errors'
import { assertSafeUrl, isPublicAddress, STRICT_URL_POLICY, UnsafeUrlError, type SafeUrlPolicy } from '../../lib/safe-fetch'

/** True for an IPv4 literal that is not public unicast (loopback, private, CGNAT, link-local, …). */
export function isBlockedIpv4(ip: string): boolean {
  return !isPublicAddress(ip)
}

/** True for an IPv6 literal that is not public unicast; a mapped IPv4 is judged as IPv4. */
export function isBlockedIpv6(ip: string): boolean {
  return !isPublicAddress(ip)
}

/**
 * Why `url` may not receive webhooks under `policy` (the operator's `webhooks` config), or null.
 * `invalid` tells a non-URL apart from an unsafe one.
 */
export function webhookUrlProblem(url: string, policy: SafeUrlPolicy = STRICT_URL_POLICY): { invalid: boolean; message: string } | null {
  try {
    assertSafeUrl(url, policy)
    return null
  } catch (err) {
    if (!(err instanceof UnsafeUrlError)) throw err
    return { invalid: err.reason === 'invalid_url', message: `Webhook URL refused: ${err.message}.` }
  }
}

/** Throws 400 unsafe_webhook_url (or validation_failed for a non-URL) unless `url` may receive webhooks. */
export function checkWebhookUrl(url: string, param = 'url', policy: SafeUrlPolicy = STRICT_URL_POLICY): URL {
  const problem = webhookUrlProblem(url, policy)
  if (problem?.invalid) throw new AppError('validation_failed', { message: `${param} must be an absolute URL such as https://example.com/hooks/batchrouter.`, param })
  if (problem) throw new AppError('unsafe_webhook_url', { message: problem.message, param })
  return new URL(url)
}
