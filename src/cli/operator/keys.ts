/** `batchrouter keys create|ls|revoke`: customer keys of any org and operator (admin) keys, audited. */
import { OPERATOR_OPTIONS, intFlag, usageError } from '../args'
import { EXIT, EXIT_CODES_HELP } from '../exit-codes'
import { formatTime, printJson, printTable } from '../output'
import { createKeyAsOperator, listKeysAsOperator, revokeKeyAsOperator } from '../../features/admin'
import { presentApiKey, parseKeyExpiry } from '../../features/api-keys/index'
import type { ApiKeyRow } from '../../features/api-keys'
import { runOperator } from './run'

export const KEYS_USAGE = `Usage:
  batchrouter keys create --org ORG [--name NAME] [--expires ISO-TIME]   a customer key (br_live_…, shown once)
  batchrouter keys create --admin [--name NAME]                           an operator key (br_admin_…, shown once)
  batchrouter keys ls [--org ORG | --admin] [--limit N]
  batchrouter keys revoke KEY_ID...
Common: --data-dir DIR, --config FILE, --json. Safe while the server runs; every change is audited.

${EXIT_CODES_HELP}`

const OPTIONS = { ...OPERATOR_OPTIONS, org: { type: 'string' }, admin: { type: 'boolean' }, name: { type: 'string' }, expires: { type: 'string' }, limit: { type: 'string' } } as const

const present = (row: ApiKeyRow) => ({ ...presentApiKey(row), org_id: row.orgId, kind: row.kind })

/** Entry of the `keys` group. */
export function runKeysCommand(argv: string[]): Promise<number> {
  return runOperator(argv, OPTIONS, KEYS_USAGE, async ({ values, positionals, json, withStore }) => {
    const [sub, ...ids] = positionals
    if (values.org && values.admin) usageError('pass either --org ORG or --admin, not both', KEYS_USAGE)
    if (sub === 'create') {
      if (!values.org && !values.admin) usageError('keys create needs --org ORG (a customer key) or --admin (an operator key)', KEYS_USAGE)
      const key = await withStore((deps) => createKeyAsOperator(deps, null, { orgId: values.org ?? null, name: values.name ?? (values.admin ? 'operator' : 'cli'), expiresAt: parseKeyExpiry(deps, values.expires) }), { create: true })
      if (json) printJson({ ...present(key), api_key: key.secret })
      else console.log(`${key.kind === 'admin' ? 'admin' : 'customer'} key ${key.id} created; shown only now:\n${key.secret}`)
      return EXIT.ok
    }
    if (sub === 'ls') {
      const rows = await withStore((deps) => listKeysAsOperator(deps, { orgId: values.admin ? null : values.org, limit: intFlag(values.limit, 'limit', 100, KEYS_USAGE, 10_000) }))
      if (json) printJson({ object: 'list', data: rows.map(present) })
      else printTable(['ID', 'KIND', 'ORG', 'NAME', 'START', 'CREATED', 'LAST_USED', 'REVOKED'], rows.map((r) => [r.id, r.kind, r.orgId ?? '-', r.name, r.start, formatTime(r.createdAt / 1000), formatTime(r.lastUsedAt === null ? null : r.lastUsedAt / 1000), formatTime(r.revokedAt === null ? null : r.revokedAt / 1000)]), 'no keys')
      return EXIT.ok
    }
    if (sub !== 'revoke') usageError(sub ? `unknown keys command '${sub}'` : 'name a keys command', KEYS_USAGE)
    if (ids.length === 0) usageError('keys revoke needs at least one key id (key_…)', KEYS_USAGE)
    const revoked = await withStore((deps) => ids.map((id) => revokeKeyAsOperator(deps, null, id)))
    if (json) printJson({ object: 'list', data: revoked.map(present) })
    else for (const r of revoked) console.log(`revoked ${r.id} (${r.kind}${r.orgId ? ` of ${r.orgId}` : ''}); it is refused from the next request on`)
    return EXIT.ok
  })
}
