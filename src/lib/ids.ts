/** Prefixed random identifiers. Every id on the wire starts with one of ID_PREFIXES. */
import { randomBytes } from 'node:crypto'

/** Closed set of id prefixes (contract §0). */
export const ID_PREFIXES = {
  org: 'org_', // an organisation (customer account)
  key: 'key_', // an API key record (never the secret)
  file: 'file_', // an uploaded or generated file
  quote: 'qlock_', // a quote that locks rates for 10 minutes
  batch: 'bat_', // a client-visible batch
  item: 'item_', // one unit of work inside a batch
  lane: 'lane_', // an internal lane: items of one model × operation on one offering
  event: 'evt_', // a webhook event
  reservation: 'cres_', // a credit reservation
  node: 'node_', // an edge node of the fleet
  joinToken: 'jtok_', // a fleet join token (its id; the token itself is a JWT shown once)
  request: 'req_', // a request id
  job: 'job_', // a scheduler job row
  providerJob: 'pjob_', // a job submitted to a provider's batch API
  lease: 'lease_', // a lease: rows claimed together by one holder until it lapses
} as const

export type IdKind = keyof typeof ID_PREFIXES

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** Returns `length` uniformly random base62 characters (rejection sampling, no modulo bias). */
export function randomBase62(length: number): string {
  let out = ''
  while (out.length < length) {
    const bytes = randomBytes(length * 2)
    for (const byte of bytes) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62]
    }
  }
  return out
}

/** A new id of the given kind, e.g. `newId('batch')` → `bat_3kQ…` (24 random characters). */
export function newId(kind: IdKind): string {
  return ID_PREFIXES[kind] + randomBase62(24)
}

