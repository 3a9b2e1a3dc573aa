/**
 * Writing the items rows of a batch that is still `creating` (invisible; a crash discards it at
 * start-up). Used by create on the API thread for small inputs and by the ingest worker for large
 * ones, each through its own connection opened here with `synchronous=NORMAL`: these rows need no
 * fsync of their own because the create's final transaction — on the shared `synchronous=FULL`
 * connection — fsyncs the WAL file, which holds every frame written before it, these included.
 * NORMAL still syncs the WAL before and the database after every checkpoint, so frames that other
 * connections committed keep their durability. Skipping one fsync per chunk cut the insert of
 * 50,000 rows from ~0.51 s to ~0.32 s.
 */
import { Database, type Statement } from 'bun:sqlite'
import { newId } from '../../lib/ids'
import { itemsTable } from './table'
import type { ItemDraft } from './types'

/**
 * One statement prepared once and run per row: a drizzle multi-row insert would build and
 * prepare a 17,000-parameter statement per chunk (slower, and garbage that doubled peak RSS).
 * The column list is derived from the drizzle table so the two cannot drift apart.
 */
const ITEM_INSERT_COLUMNS = ['id', 'batchId', 'seq', 'customerItemId', 'line', 'offset', 'length', 'model', 'operation', 'url', 'estInputTokens', 'estOutputTokens', 'needsTools', 'untranslatable', 'status', 'attempts'] as const satisfies readonly (keyof typeof itemsTable.$inferInsert)[]

export class CreatingItemsWriter {
  private readonly conn: Database
  private readonly stmt: Statement
  /** Adds a chunk's rows to item_totals (the triggers in totals-triggers.sql count changes and deletes, not inserts). */
  private readonly count: Statement
  /** `dbPath`: the database file (its own connection is opened on it). */
  constructor(dbPath: string, private readonly batchId: string) {
    this.conn = new Database(dbPath, { strict: true })
    this.conn.exec('PRAGMA synchronous = NORMAL')
    this.conn.exec('PRAGMA busy_timeout = 5000')
    this.conn.exec('PRAGMA foreign_keys = ON')
    const names = ITEM_INSERT_COLUMNS.map((key) => `"${itemsTable[key].name}"`)
    this.stmt = this.conn.prepare(`INSERT INTO items (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`)
    // Every row is inserted pending, without a lane, usage or cost: one group of item_totals.
    this.count = this.conn.prepare(
      `INSERT INTO item_totals (batch_id, lane_id, status, n, input_tokens, output_tokens, cached_tokens, cost_micros) VALUES (?, '', 'pending', ?, 0, 0, 0, 0)
       ON CONFLICT (batch_id, lane_id, status) DO UPDATE SET n = n + excluded.n`,
    )
  }

  /** One short write transaction per chunk, so other writers are never held for long. */
  insert(chunk: ItemDraft[]): void {
    const batchId = this.batchId
    this.conn.transaction(() => {
      for (const d of chunk) this.stmt.run(newId('item'), batchId, d.seq, d.customerItemId, d.line, d.offset, d.length, d.model, d.operation, d.url, d.estInputTokens, d.estOutputTokens, d.needsTools ? 1 : 0, d.untranslatable ?? null, 'pending', 0)
      this.count.run(batchId, chunk.length)
    }).immediate()
  }

  close(): void {
    this.stmt.finalize()
    this.count.finalize()
    this.conn.close(false)
  }
}
