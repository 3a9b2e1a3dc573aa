/** Result rows (contract §5): finished items in input order, paged by an opaque seq cursor. */
import { and, asc, eq, gt, inArray } from 'drizzle-orm'
import type { Deps } from '../../deps'
import { AppError } from '../../lib/errors'
import { toIso } from '../../lib/clock'
import { moneyObject } from '../../lib/money'
import { itemsTable, type ItemRow, type ItemStatus } from '../items/index'

const FAILED_STATUSES = ['failed', 'cancelled', 'expired'] as const satisfies readonly ItemStatus[]
const FINISHED_STATUSES = ['completed', ...FAILED_STATUSES] as const

/** One finished item as a Result row; cancelled and expired items are failures with their error code. */
export function presentResult(item: ItemRow) {
  const inputTokens = item.inputTokens ?? 0
  const outputTokens = item.outputTokens ?? 0
  return {
    customer_item_id: item.customerItemId,
    custom_id: item.customerItemId,
    batch_item_id: item.id,
    status: item.status === 'completed' ? ('completed' as const) : ('failed' as const),
    operation: item.operation,
    model: item.model,
    provider: item.provider,
    offering_id: item.offeringId,
    attempts: item.attempts,
    output: item.output ? (JSON.parse(item.output) as unknown) : null,
    error: item.status === 'completed' ? null : { code: item.errorCode ?? 'provider_error', message: item.errorMessage ?? 'The item failed.' },
    usage: { input_tokens: inputTokens, output_tokens: outputTokens, total_tokens: inputTokens + outputTokens },
    cost: moneyObject(item.costMicros ?? 0),
    completed_at: item.completedAt === null ? null : toIso(item.completedAt),
  }
}

function encodeCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`).toString('base64url')
}

function decodeCursor(cursor: string): number {
  const match = /^seq:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString())
  if (!match) throw new AppError('validation_failed', { message: 'cursor is not a value returned as next_cursor by this endpoint.', param: 'cursor' })
  return Number(match[1])
}

/** A page of finished items after `cursor`, optionally only completed or only failed ones. */
export function pageResults(deps: Deps, batchId: string, opts: { limit: number; cursor?: string; status?: 'completed' | 'failed' }) {
  const statuses: readonly ItemStatus[] = opts.status === 'completed' ? ['completed'] : opts.status === 'failed' ? FAILED_STATUSES : FINISHED_STATUSES
  const after = opts.cursor ? decodeCursor(opts.cursor) : -1
  const rows = deps.db
    .select()
    .from(itemsTable)
    .where(and(eq(itemsTable.batchId, batchId), gt(itemsTable.seq, after), inArray(itemsTable.status, statuses)))
    .orderBy(asc(itemsTable.seq))
    .limit(opts.limit + 1)
    .all()
  const page = rows.slice(0, opts.limit)
  const hasMore = rows.length > opts.limit
  return { object: 'list' as const, results: page.map(presentResult), next_cursor: hasMore ? encodeCursor(page[page.length - 1]!.seq) : null, has_more: hasMore }
}

/** All items of a finished batch in input order, 1000 rows per query and per yielded chunk (artifact writing). */
export function* iterateFinishedItemChunks(deps: Deps, batchId: string): Generator<ItemRow[]> {
  let after = -1
  for (;;) {
    const rows = deps.db.select().from(itemsTable).where(and(eq(itemsTable.batchId, batchId), gt(itemsTable.seq, after))).orderBy(asc(itemsTable.seq)).limit(1000).all()
    if (rows.length === 0) return
    yield rows
    after = rows[rows.length - 1]!.seq
  }
}
