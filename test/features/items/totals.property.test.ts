/**
 * item_totals against a full recount: random inserts, changes (status, lane, usage, cost, as the
 * outcome, retry, rescue, cancel and re-route paths make them), deletes, whole-batch deletes and
 * rolled-back transactions, applied to a database migrated exactly as the server's. After every
 * command sequence the trigger-kept totals equal a GROUP BY over the items themselves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDb, type Db } from '../../../src/db/client'
import { migrateDb } from '../../../src/db/migrate'
import { ITEM_STATUSES, itemTotalsOf } from '../../../src/features/items/index'

let dir: string
let db: Db

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'br-totals-'))
  db = openDb(join(dir, 'router.db'))
  migrateDb(db)
  // Items here belong to batch ids without batch rows: the triggers, not the foreign keys, are under test.
  db.$client.exec('PRAGMA foreign_keys = OFF')
})
afterAll(() => {
  db.$client.close()
  rmSync(dir, { recursive: true, force: true })
})

const BATCHES = ['b1', 'b2', 'b3']
const LANES = [null, 'lane-a', 'lane-b']
const usage = fc.option(fc.integer({ min: 0, max: 5000 }), { nil: null })
const status = fc.constantFrom(...ITEM_STATUSES)

type Command =
  | { op: 'insert'; batch: string; lane: string | null; status: string; input: number | null; cost: number | null }
  | { op: 'update'; pick: number; lane: string | null; status: string; input: number | null; output: number | null; cached: number | null; cost: number | null }
  | { op: 'touch'; pick: number }
  | { op: 'delete'; pick: number }
  | { op: 'deleteBatch'; batch: string }
  | { op: 'rollback'; pick: number; status: string }

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('insert' as const), batch: fc.constantFrom(...BATCHES), lane: fc.constantFrom(...LANES), status, input: usage, cost: usage }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('update' as const), pick: fc.nat(), lane: fc.constantFrom(...LANES), status, input: usage, output: usage, cached: usage, cost: usage }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('touch' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('deleteBatch' as const), batch: fc.constantFrom(...BATCHES) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('rollback' as const), pick: fc.nat(), status }) },
)

let seq = 0
function apply(c: Command): void {
  const ids = (db.$client.query('SELECT id FROM items ORDER BY id').all() as { id: string }[]).map((r) => r.id)
  const picked = ids.length > 0 && 'pick' in c ? ids[c.pick % ids.length]! : null
  switch (c.op) {
    case 'insert':
      seq++
      db.$client
        .query(`INSERT INTO items (id, batch_id, seq, customer_item_id, line, offset, length, model, operation, url, est_input_tokens, est_output_tokens, status, lane_id, input_tokens, cost_micros)
                VALUES (?, ?, ?, ?, 1, 0, 10, 'm', 'chat', '/v1/chat/completions', 1, 1, ?, ?, ?, ?)`)
        .run(`item-${seq}`, c.batch, seq, `c-${seq}`, c.status, c.lane, c.input, c.cost)
      return
    case 'update':
      if (picked) db.$client.query('UPDATE items SET status = ?, lane_id = ?, input_tokens = ?, output_tokens = ?, cached_tokens = ?, cost_micros = ? WHERE id = ?').run(c.status, c.lane, c.input, c.output, c.cached, c.cost, picked)
      return
    case 'touch':
      // A write of the watched columns with their own values (the trigger's WHEN skips it).
      if (picked) db.$client.query('UPDATE items SET status = status, attempts = attempts + 1 WHERE id = ?').run(picked)
      return
    case 'delete':
      if (picked) db.$client.query('DELETE FROM items WHERE id = ?').run(picked)
      return
    case 'deleteBatch':
      db.$client.query('DELETE FROM items WHERE batch_id = ?').run(c.batch)
      return
    case 'rollback':
      if (!picked) return
      expect(() =>
        db.$client.transaction(() => {
          db.$client.query('UPDATE items SET status = ? WHERE id = ?').run(c.status, picked)
          throw new Error('abandoned')
        })(),
      ).toThrow('abandoned')
  }
}

/** The totals recounted from the items rows, in item_totals' shape (empty groups left out). */
function recount(batchId: string) {
  return db.$client
    .query(
      `SELECT coalesce(lane_id, '') AS laneId, status, count(*) AS n, coalesce(sum(input_tokens), 0) AS inputTokens, coalesce(sum(output_tokens), 0) AS outputTokens,
              coalesce(sum(cached_tokens), 0) AS cachedTokens, coalesce(sum(cost_micros), 0) AS costMicros
       FROM items WHERE batch_id = ? GROUP BY 1, 2 ORDER BY 1, 2`,
    )
    .all(batchId)
}

const sorted = <T extends { laneId: string; status: string }>(rows: T[]) => [...rows].sort((a, b) => (a.laneId + a.status < b.laneId + b.status ? -1 : 1))

describe('item_totals (kept by triggers)', () => {
  it('always equals a full recount of the items, whatever sequence of writes ran', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 60 }), (commands) => {
        for (const c of commands) apply(c)
        for (const b of BATCHES) expect(sorted(itemTotalsOf(db, b))).toEqual(sorted(recount(b) as never[]))
      }),
      { numRuns: 200 },
    )
  })
})
