/** `batchrouter batches ls` and `batchrouter ledger`: cross-org batches and an org's credit ledger, read from the data dir. */
import { OPERATOR_OPTIONS, intFlag, usageError } from '../args'
import { EXIT, EXIT_CODES_HELP } from '../exit-codes'
import { formatTime, printJson, printTable } from '../output'
import { listAllBatches, listOrgLedger } from '../../features/admin'
import { presentAdminBatch, presentList } from '../../features/admin/index'
import { presentLedgerPage } from '../../features/credits'
import { runOperator } from './run'

export const BATCHES_USAGE = `Usage:
  batchrouter batches ls [--org ORG] [--status STATUS] [--limit N]     every org's batches, newest first
  batchrouter ledger --org ORG [--limit N]                            an org's credit movements, newest first
Common: --data-dir DIR, --config FILE, --json. Read-only; safe while the server runs.

${EXIT_CODES_HELP}`

const OPTIONS = { ...OPERATOR_OPTIONS, org: { type: 'string' }, status: { type: 'string' }, limit: { type: 'string' } } as const

/** Entry of the operator `batches` group. */
export function runBatchesCommand(argv: string[]): Promise<number> {
  return runOperator(argv, OPTIONS, BATCHES_USAGE, async ({ values, positionals, json, withStore }) => {
    if (positionals[0] !== 'ls') usageError(positionals[0] ? `unknown batches command '${positionals[0]}'` : 'name a batches command (ls)', BATCHES_USAGE)
    const limit = intFlag(values.limit, 'limit', 50, BATCHES_USAGE, 100)
    const page = await withStore((deps) => listAllBatches(deps, { limit, orgId: values.org, status: values.status }))
    const list = presentList(page.rows.map(presentAdminBatch), page.hasMore)
    if (json) printJson(list)
    else printTable(['ID', 'ORG', 'STATUS', 'ITEMS', 'CREATED'], list.data.map((b) => [b.id, b.org_id, b.status, String(b.item_count), formatTime(b.created_at)]), 'no batches')
    return EXIT.ok
  })
}

/** Entry of `ledger --org ORG`. */
export function runLedgerCommand(argv: string[]): Promise<number> {
  return runOperator(argv, OPTIONS, BATCHES_USAGE, async ({ values, json, withStore }) => {
    if (!values.org) usageError('ledger needs --org ORG', BATCHES_USAGE)
    const limit = intFlag(values.limit, 'limit', 50, BATCHES_USAGE, 100)
    const page = presentLedgerPage(await withStore((deps) => listOrgLedger(deps, values.org!, { limit })))
    if (json) printJson(page)
    else printTable(['ID', 'KIND', 'AMOUNT_USD', 'BATCH', 'NOTE', 'CREATED'], page.data.map((e) => [String(e.id), e.kind, e.amount, e.batch_id ?? '-', e.note ?? '', formatTime(e.created_at)]), 'no ledger entries')
    return EXIT.ok
  })
}
