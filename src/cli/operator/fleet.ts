/** `batchrouter fleet token create|ls|revoke`, `fleet nodes`, `fleet revoke NODE`, `fleet drain NODE`: the fleet from the router's data dir, audited. */
import { OPERATOR_OPTIONS, oneOf, usageError } from '../args'
import { EXIT, EXIT_CODES_HELP } from '../exit-codes'
import { formatTime, printJson, printTable } from '../output'
import { createJoinToken, drainNode, listJoinTokens, listNodes, presentJoinToken, presentNode, revokeNode } from '../../features/fleet/index'
import { runOperator } from './run'

export const FLEET_USAGE = `Usage:
  batchrouter fleet token create --trust standard|restricted --region R [--region R2] [--ttl 1h] [--uses N] [--name NAME]
  batchrouter fleet token ls
  batchrouter fleet nodes
  batchrouter fleet drain NODE_ID       no new leases; running ones finish
  batchrouter fleet revoke NODE_ID      its token is refused at once, its leases go back to the queue
Common: --data-dir DIR, --config FILE, --json. Safe while the server runs; every change is audited.
--ttl takes seconds or a duration like 30m, 1h, 7d (60 s .. 7 d).

${EXIT_CODES_HELP}`

const OPTIONS = { ...OPERATOR_OPTIONS, trust: { type: 'string' }, region: { type: 'string', multiple: true }, ttl: { type: 'string' }, uses: { type: 'string' }, name: { type: 'string' } } as const

/** `90`, `90s`, `30m`, `1h`, `7d` → seconds within the join-token range, else a usage error. */
export function parseTtl(value: string | undefined): number {
  if (value === undefined) return 3600
  const match = /^(\d+)([smhd]?)$/.exec(value.trim())
  const seconds = match ? Number(match[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'] : NaN
  if (!(seconds >= 60 && seconds <= 604_800)) usageError(`--ttl must be 60 s .. 7 d (e.g. 1h), not '${value}'`, FLEET_USAGE)
  return seconds
}

/** Entry of the `fleet` group. */
export function runFleetCommand(argv: string[]): Promise<number> {
  return runOperator(argv, OPTIONS, FLEET_USAGE, async ({ values, positionals, json, withStore }) => {
    const [sub, arg, ...rest] = positionals
    if (sub === 'token' && arg === 'create') {
      const trust = oneOf(values.trust, ['standard', 'restricted'] as const, 'trust', FLEET_USAGE) ?? usageError('fleet token create needs --trust standard|restricted', FLEET_USAGE)
      const regions = values.region ?? []
      if (regions.length === 0) usageError('fleet token create needs at least one --region', FLEET_USAGE)
      const uses = values.uses === undefined ? 1 : Number(values.uses)
      if (!Number.isInteger(uses) || uses < 1 || uses > 10_000) usageError('--uses must be 1..10000', FLEET_USAGE)
      const { token, row } = await withStore((deps) => createJoinToken(deps, null, { trust_tier: trust, regions, ttl_seconds: parseTtl(values.ttl), max_uses: uses, ...(values.name ? { name: values.name } : {}) }))
      if (json) printJson({ join_token: token, ...presentJoinToken(row) })
      else console.log(`join token ${row.id} (${row.trustTier}, ${row.regions.join(', ')}, expires ${formatTime(row.expiresAt / 1000)}, ${row.maxUses} use${row.maxUses === 1 ? '' : 's'}); shown only now:\n${token}`)
      return EXIT.ok
    }
    if (sub === 'token' && arg === 'ls') {
      const rows = (await withStore((deps) => listJoinTokens(deps))).map(presentJoinToken)
      if (json) printJson({ object: 'list', data: rows })
      else printTable(['ID', 'TRUST', 'REGIONS', 'USES', 'EXPIRES', 'REVOKED'], rows.map((r) => [r.token_id, r.trust_tier, r.regions.join(','), `${r.uses}/${r.max_uses}`, formatTime(r.expires_at), formatTime(r.revoked_at)]), 'no join tokens')
      return EXIT.ok
    }
    if (sub === 'nodes') {
      const rows = (await withStore((deps) => listNodes(deps))).map(presentNode)
      if (json) printJson({ object: 'list', data: rows })
      else printTable(['NODE', 'NAME', 'STATUS', 'TRUST', 'REGIONS', 'MODELS', 'CAPACITY', 'IN_FLIGHT', 'UPSTREAM', 'LAST_HEARTBEAT', 'DONE', 'FAILED'], rows.map((n) => [n.node_id, n.name, n.status, n.trust_tier, n.regions.join(','), n.offerings.map((o) => String(o.model)).join(','), String(n.capacity.concurrent_items), String(n.in_flight), n.upstream_health, formatTime(n.last_heartbeat_at), String(n.completed_items), String(n.failed_items)]), 'no nodes')
      return EXIT.ok
    }
    if ((sub === 'revoke' || sub === 'drain') && arg && rest.length === 0) {
      const row = presentNode(await withStore((deps) => (sub === 'revoke' ? revokeNode(deps, null, arg) : drainNode(deps, null, arg))))
      if (json) printJson(row)
      else console.log(sub === 'revoke' ? `revoked ${row.node_id} (${row.name}); its token is refused from the next request and its leases went back to the queue` : `draining ${row.node_id} (${row.name}); it gets no new leases`)
      return EXIT.ok
    }
    return usageError(sub ? `unknown fleet command '${[sub, arg].filter(Boolean).join(' ')}'` : 'name a fleet command', FLEET_USAGE)
  })
}
