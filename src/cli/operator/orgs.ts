/** `batchrouter orgs create|ls`: customer orgs on the data dir (audited as the admin API's org.create). */
import { OPERATOR_OPTIONS, intFlag, usageError } from '../args'
import { EXIT, EXIT_CODES_HELP } from '../exit-codes'
import { formatTime, printJson, printTable } from '../output'
import { createOrgAsOperator, listOrgs } from '../../features/admin'
import { presentAdminOrg, presentCreatedOrg } from '../../features/admin/index'
import { parseMicros } from '../../lib/money'
import { runOperator } from './run'

export const ORGS_USAGE = `Usage:
  batchrouter orgs create --name NAME [--email EMAIL] [--credit 25.00]   an org and its first API key (shown once)
  batchrouter orgs ls [--limit N]
Common: --data-dir DIR, --config FILE, --json. Safe while the server runs.

${EXIT_CODES_HELP}`

const OPTIONS = { ...OPERATOR_OPTIONS, name: { type: 'string' }, email: { type: 'string' }, credit: { type: 'string' }, limit: { type: 'string' } } as const

/** Entry of the `orgs` group. */
export function runOrgsCommand(argv: string[]): Promise<number> {
  return runOperator(argv, OPTIONS, ORGS_USAGE, async ({ values, positionals, json, withStore }) => {
    const sub = positionals[0]
    if (sub === 'create') {
      if (!values.name) usageError('orgs create needs --name NAME', ORGS_USAGE)
      if (values.credit !== undefined && (parseMicros(values.credit) ?? -1) < 0) usageError('--credit must be a USD amount with at most 6 decimals, e.g. 25.00', ORGS_USAGE)
      const created = await withStore((deps) => createOrgAsOperator(deps, null, { name: values.name!, email: values.email, startingCredit: values.credit }), { create: true })
      const shown = presentCreatedOrg(created)
      if (json) printJson(shown)
      else {
        console.log(`org ${shown.org.id} "${shown.org.name}" created with ${shown.org.credit_balance} USD credit`)
        console.log(`API key (shown only now): ${shown.api_key}`)
      }
      return EXIT.ok
    }
    if (sub !== 'ls') usageError(sub ? `unknown orgs command '${sub}'` : 'name an orgs command', ORGS_USAGE)
    const limit = intFlag(values.limit, 'limit', 100, ORGS_USAGE, 100)
    const page = await withStore((deps) => listOrgs(deps, { limit }))
    const orgs = page.rows.map((org) => presentAdminOrg(org, page.balances.get(org.id)!))
    if (json) printJson({ object: 'list', data: orgs, has_more: page.hasMore })
    else printTable(['ID', 'NAME', 'AVAILABLE_USD', 'RESERVED_USD', 'CREATED'], orgs.map((o) => [o.id, o.name, o.credit_balance, o.reserved_balance, formatTime(o.created_at)]), 'no orgs yet')
    return EXIT.ok
  })
}
