/** `batchrouter credits grant --org ORG --amount 25.00 [--note …] [--reference …]`. */
import { eq } from 'drizzle-orm'
import type { Config } from '../config'
import { grantCredits } from '../features/credits/ledger'
import { orgsTable } from '../features/accounts/table'
import { formatMicros, parseMicros } from '../lib/money'
import { randomBase62 } from '../lib/ids'
import { openStore } from './open-store'

export function runCredits(config: Config, sub: string | undefined, opts: { org?: string; amount?: string; note?: string; reference?: string }): number {
  if (sub !== 'grant') {
    console.error(`unknown credits subcommand '${sub ?? ''}' (use: credits grant --org ORG --amount 25.00)`)
    return 2
  }
  const amount = opts.amount === undefined ? null : parseMicros(opts.amount)
  if (!opts.org || amount === null || amount <= 0) {
    console.error('credits grant needs --org ORG and --amount as a positive USD amount with at most 6 decimals, e.g. --amount 25.00')
    return 2
  }
  const deps = openStore(config)
  try {
    if (!deps.db.select().from(orgsTable).where(eq(orgsTable.id, opts.org)).get()) {
      console.error(`no org with id '${opts.org}'`)
      return 2
    }
    const balance = grantCredits(deps, { orgId: opts.org, amount, reference: opts.reference ?? `cli-grant:${randomBase62(16)}`, note: opts.note ?? 'granted from the CLI' })
    console.log(`granted ${formatMicros(amount)} USD to ${opts.org}; available ${formatMicros(balance.available)} USD`)
    return 0
  } finally {
    deps.db.$client.close()
  }
}
