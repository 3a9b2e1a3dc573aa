/** Reads of item_totals: a batch's counts and sums per lane and status, kept by triggers (totals-triggers.sql). */
import type { Statement } from 'bun:sqlite'
import type { Db } from '../../db/client'
import type { ItemStatus } from './state'

/** One (lane, status) group of a batch's items; `laneId` '' is "no lane yet". */
export interface ItemTotalsGroup {
  laneId: string
  status: ItemStatus
  n: number
  inputTokens: number
  outputTokens: number
  cachedTokens: number
  costMicros: number
}

/** Per database: the read, prepared once (a primary-key range, no SQL built per GET). */
const statements = new WeakMap<Db, Statement<ItemTotalsGroup, [string]>>()

/** Every non-empty (lane, status) group of the batch's items: a few rows whatever the batch's size. */
export function itemTotalsOf(db: Db, batchId: string): ItemTotalsGroup[] {
  let statement = statements.get(db)
  if (!statement) {
    statement = db.$client.prepare<ItemTotalsGroup, [string]>(
      `SELECT lane_id AS laneId, status, n, input_tokens AS inputTokens, output_tokens AS outputTokens, cached_tokens AS cachedTokens, cost_micros AS costMicros
       FROM item_totals WHERE batch_id = ?1 AND n > 0`,
    )
    statements.set(db, statement)
  }
  return statement.all(batchId)
}
