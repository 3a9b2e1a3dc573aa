/**
 * `batchrouter credits grant --org ORG --amount 25.00 [--note …] [--reference …]`: the same operator
 * grant as `POST /v1/admin/orgs/{id}/credits` (idempotent by reference, audited with actor null).
 */
import type { Config } from '../config'
import { AppError } from '../lib/errors'
import { applyOperatorCredit } from '../features/admin'
import { formatMicros, parseMicros } from '../lib/money'
import { randomBase62 } from '../lib/ids'
import { openStore } from './open-store'

/** Exit codes: 0 granted (or replayed), 1 refused (e.g. reference reused), 2 bad usage or unknown org. */
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
    const reference = opts.reference ?? `cli-${randomBase62(16)}`
    const result = applyOperatorCredit(deps, null, opts.org, { amount: opts.amount!, note: opts.note ?? 'granted from the CLI', reference })
    const available = formatMicros(result.balance.available)
    if (result.replayed) console.log(`reference '${reference}' was already granted (entry ${result.entry.id}); nothing new written. ${opts.org} has ${available} USD available`)
    else console.log(`granted ${formatMicros(amount)} USD to ${opts.org} (entry ${result.entry.id}, reference ${reference}); available ${available} USD`)
    return 0
  } catch (err) {
    if (!(err instanceof AppError)) throw err
    console.error(err.message)
    return err.code === 'not_found' || err.code === 'validation_failed' ? 2 : 1
  } finally {
    deps.db.$client.close()
  }
}
