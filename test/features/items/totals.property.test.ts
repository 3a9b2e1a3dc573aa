/**
 * item_totals against a full recount: random inserts through the one insert path
 * (CreatingItemsWriter, on its own connection as ingest uses it), changes (status, lane, usage,
 * cost, as the outcome, retry, rescue, cancel and re-route paths make them), deletes, whole-batch
 * deletes and rolled-back transactions, applied to a database migrated exactly as the server's.
 * After every command sequence the totals equal a GROUP BY over the items themselves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDb, type Db } from '../../../src/db/client'
import { migrateDb } from '../../../src/db/migrate'
import { CreatingItemsWriter, ITEM_STATUSES, itemTotalsOf, type ItemDraft } from '../../../src/features/items/index'

let dir: string
let db: Db

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'br-totals-'))
  db = openDb(join(dir, 'router.db'))
  migrateDb(db)
  // Bare parent rows: the items' foreign keys hold as in the server.
  db.$client.exec(`INSERT INTO orgs (id, name, created_at) VALUES ('org_t', 't', 0)`)
  for (const b of BATCHES) {
    db.$client
      .query(
        `INSERT INTO batches (id, org_id, status, shape, endpoint, input_file_id, input_path, sla_tier, routing_mode, privacy_tier, policy, item_count, estimate, locked_rates, sla_multiplier_bps, reserved_micros, created_at, updated_at, sla_deadline, next_attempt_at)
         VALUES (?, 'org_t', 'creating', 'native', '/v1/chat/completions', 'file_t', '/dev/null', 'standard', 'cheapest', 'standard', '{}', 0, '{}', '{}', 10000, 0, 0, 0, 0, 0)`,
      )
      .run(b)
  }
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
  | { op: 'insert'; batch: string; rows: number }
  | { op: 'update'; pick: number; lane: string | null; status: string; input: number | null; output: number | null; cached: number | null; cost: number | null }
  | { op: 'touch'; pick: number }
  | { op: 'delete'; pick: number }
  | { op: 'deleteBatch'; batch: string }
  | { op: 'rollback'; pick: number; status: string }

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('insert' as const), batch: fc.constantFrom(...BATCHES), rows: fc.integer({ min: 1, max: 5 }) }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('update' as const), pick: fc.nat(), lane: fc.constantFrom(...LANES), status, input: usage, output: usage, cached: usage, cost: usage }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('touch' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('deleteBatch' as const), batch: fc.constantFrom(...BATCHES) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('rollback' as const), pick: fc.nat(), status }) },
)

let seq = 0
/** A minimal valid draft (the writer stores it pending, without a lane). */
const draft = (n: number, customerItemId: string): ItemDraft => ({ seq: n, customerItemId, line: n, offset: 0, length: 10, model: 'm', operation: 'responses', url: '/v1/chat/completions', estInputTokens: 1, estOutputTokens: 1, needsTools: false, untranslatable: null, imageFileIds: [] })
function apply(c: Command): void {
  const ids = (db.$client.query('SELECT id FROM items ORDER BY id').all() as { id: string }[]).map((r) => r.id)
  const picked = ids.length > 0 && 'pick' in c ? ids[c.pick % ids.length]! : null
  switch (c.op) {
    case 'insert': {
      const writer = new CreatingItemsWriter(join(dir, 'router.db'), c.batch)
      const drafts = Array.from({ length: c.rows }, (): ItemDraft => {
        seq++
        return draft(seq, `c-${seq}`)
      })
      writer.insert(drafts)
      writer.close()
      return
    }
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
      { numRuns: 100 },
    )
  }, 60_000)

  it('forgets a batch whose row is deleted', () => {
    db.$client.exec(`DELETE FROM items WHERE batch_id = 'b3'`)
    const writer = new CreatingItemsWriter(join(dir, 'router.db'), 'b3')
    writer.insert([draft(1_000_000, 'gone')])
    writer.close()
    expect(itemTotalsOf(db, 'b3').map((g) => g.n)).toEqual([1])
    db.$client.exec(`DELETE FROM items WHERE batch_id = 'b3'; DELETE FROM batches WHERE id = 'b3'`)
    expect(db.$client.query(`SELECT count(*) AS n FROM item_totals WHERE batch_id = 'b3'`).get()).toEqual({ n: 0 })
  })
})
