/**
 * Delivery signatures (contract §7). `X-BatchRouter-Signature` is the lowercase hex HMAC-SHA256
 * of the raw body keyed with the secret string exactly as configured (UTF-8). The Standard
 * Webhooks headers sign `"{webhook-id}.{webhook-timestamp}.{body}"` and send
 * `v1,<base64 HMAC-SHA256>`, keyed with the base64-decoded bytes after `whsec_` when the secret
 * has that prefix, else its UTF-8 bytes — what `standardwebhooks` and the openai SDK's
 * `webhooks.unwrap` expect (checked against the Standard Webhooks test vectors in the tests).
 */
import { createHmac } from 'node:crypto'
import { hmacSha256Hex } from '../../lib/crypto'
import { VERSION } from '../../version'

const WHSEC_PREFIX = 'whsec_'

/** The Standard Webhooks key: base64 after `whsec_` (decoded like the openai SDK), else UTF-8. */
export function standardWebhookKey(secret: string): Buffer {
  return secret.startsWith(WHSEC_PREFIX) ? Buffer.from(secret.slice(WHSEC_PREFIX.length), 'base64') : Buffer.from(secret, 'utf8')
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. */
export function standardWebhookSignature(secret: string, eventId: string, timestampS: number, body: string): string {
  const mac = createHmac('sha256', standardWebhookKey(secret)).update(`${eventId}.${timestampS}.${body}`).digest('base64')
  return `v1,${mac}`
}

/** Every header of one delivery attempt; `timestampS` is the attempt's time in unix seconds. */
export function deliveryHeaders(input: { eventId: string; timestampS: number; body: string; secret: string }): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': `BatchRouter-Webhooks/${VERSION}`,
    'x-batchrouter-signature': hmacSha256Hex(input.secret, input.body),
    'webhook-id': input.eventId,
    'webhook-timestamp': String(input.timestampS),
    'webhook-signature': standardWebhookSignature(input.secret, input.eventId, input.timestampS, input.body),
  }
}
