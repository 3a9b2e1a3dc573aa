/**
 * Rows of the batch dialects' batches and lines in the simulator's database. Every change is
 * one short synchronous transaction, so what a client was told survives a `kill -9`: a batch
 * is listed once its create answered, a line's result is kept once it ran, an end is written
 * together with its output files and the final outcome of every unrun line.
 */
import type { SimDb } from './sim-db'
import type { BatchFaults, LineResult, SimBatch, SimBatchEnd, SimBatchLine } from './batch-types'

/** A line as created: its request and when it runs (Infinity: it never runs). */
export interface NewLine {
  customId: string
  body: Record<string, unknown>
  finishAt: number
}

/** Lines that ran ok, ran and failed, and have not run (yet, or ever). */
export interface LineCounts {
  ok: number
  failed: number
  notRun: number
  expired: number
  cancelled: number
}

interface BatchRow {
  id: string
  dialect: string
  model: string | null
  created_at: number
  turnaround_ms: number
  line_count: number
  cancel_requested_at: number | null
  ended_at: number | null
  end_state: string | null
  errors: string
  openai: string | null
  faults: string
  polls: number
}

interface LineRow {
  idx: number
  custom_id: string
  body: string
  finish_at: number | null
  outcome: string | null
  result: string | null
}

const INSERT_CHUNK = 500
const BATCH_COLUMNS = 'id, dialect, model, created_at, turnaround_ms, line_count, cancel_requested_at, ended_at, end_state, errors, openai, faults, polls'

function toBatch(r: BatchRow): SimBatch {
  return {
    id: r.id, dialect: r.dialect as SimBatch['dialect'], model: r.model ?? undefined, createdAt: r.created_at, turnaroundMs: r.turnaround_ms, lineCount: r.line_count,
    cancelRequestedAt: r.cancel_requested_at, endedAt: r.ended_at, end: r.end_state as SimBatchEnd | null, errors: JSON.parse(r.errors),
    ...(r.openai ? { openai: JSON.parse(r.openai) } : {}), faults: JSON.parse(r.faults) as BatchFaults, polls: r.polls,
  }
}

function toLine(r: LineRow): SimBatchLine {
  return { idx: r.idx, customId: r.custom_id, body: JSON.parse(r.body), finishAt: r.finish_at ?? Number.POSITIVE_INFINITY, ...(r.result ? { result: JSON.parse(r.result) as LineResult } : {}) }
}

/** The stored outcome of a result: ok, failed, expired or cancelled. */
function outcomeOf(result: LineResult): string {
  return result.ran ? (result.ok ? 'ok' : 'failed') : result.why
}

/** Batch and line rows over `sim`: the reads and the writes of one simulator's batches. */
export function createBatchTable(sim: SimDb) {
  return { ...batchReads(sim.db), ...batchWrites(sim.db) }
}

/** Writes: insert, results, end, cancel, polls, delete. */
function batchWrites(db: SimDb['db']) {
  const saveResult = db.query('UPDATE sim_lines SET outcome = ?, result = ? WHERE batch_id = ? AND idx = ?')
  return {
    /** Inserts the batch and all its lines in one transaction. */
    insert(batch: SimBatch, lines: NewLine[]): void {
      db.transaction(() => {
        db.query(`INSERT INTO sim_batches (${BATCH_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
          batch.id, batch.dialect, batch.model ?? null, batch.createdAt, batch.turnaroundMs, lines.length, batch.cancelRequestedAt, batch.endedAt, batch.end,
          JSON.stringify(batch.errors), batch.openai ? JSON.stringify(batch.openai) : null, JSON.stringify(batch.faults), batch.polls,
        )
        for (let start = 0; start < lines.length; start += INSERT_CHUNK) {
          const chunk = lines.slice(start, start + INSERT_CHUNK)
          const values = chunk.map(() => '(?, ?, ?, ?, ?)').join(', ')
          const params = chunk.flatMap((l, i) => [batch.id, start + i, l.customId, JSON.stringify(l.body), Number.isFinite(l.finishAt) ? l.finishAt : null])
          db.query(`INSERT INTO sim_lines (batch_id, idx, custom_id, body, finish_at) VALUES ${values}`).run(...params)
        }
      })()
    },
    /** Keeps the results of lines that ran, and the batch's counts with them (one transaction). */
    saveResults(id: string, results: { idx: number; result: LineResult }[]): void {
      const ok = results.filter((r) => r.result.ran && r.result.ok).length
      db.transaction(() => {
        for (const r of results) saveResult.run(outcomeOf(r.result), JSON.stringify(r.result), id, r.idx)
        db.query('UPDATE sim_batches SET ok_count = ok_count + ?, failed_count = failed_count + ? WHERE id = ?').run(ok, results.length - ok, id)
      })()
    },
    /**
     * Ends the batch in one transaction: `publish` (output file rows) first, then the end
     * state, the OpenAI fields, and `unrun` as the result of every line that never ran.
     */
    end(batch: SimBatch, end: SimBatchEnd, at: number, unrun: 'expired' | 'cancelled' | null, publish?: () => void): void {
      db.transaction(() => {
        publish?.()
        db.query('UPDATE sim_batches SET end_state = ?, ended_at = ?, openai = ? WHERE id = ?').run(end, at, batch.openai ? JSON.stringify(batch.openai) : null, batch.id)
        if (!unrun) return
        const result: LineResult = { ran: false, why: unrun }
        const { changes } = db.query('UPDATE sim_lines SET outcome = ?, result = ? WHERE batch_id = ? AND outcome IS NULL').run(unrun, JSON.stringify(result), batch.id)
        db.query(`UPDATE sim_batches SET ${unrun}_count = ${unrun}_count + ? WHERE id = ?`).run(changes, batch.id)
      })()
    },
    requestCancel(id: string, at: number): void {
      db.query('UPDATE sim_batches SET cancel_requested_at = ? WHERE id = ? AND cancel_requested_at IS NULL').run(at, id)
    },
    /** Counts one retrieve; returns the polls answered so far, this one included. */
    countPoll(id: string): number {
      return db.query<{ polls: number }, [string]>('UPDATE sim_batches SET polls = polls + 1 WHERE id = ? RETURNING polls').get(id)?.polls ?? 0
    },
    /** Forgets a batch and its lines. */
    delete(id: string): void {
      db.transaction(() => {
        db.query('DELETE FROM sim_lines WHERE batch_id = ?').run(id)
        db.query('DELETE FROM sim_batches WHERE id = ?').run(id)
      })()
    },
    clear(): void {
      db.transaction(() => {
        db.exec('DELETE FROM sim_lines')
        db.exec('DELETE FROM sim_batches')
      })()
    },
  }
}

/** Reads: one batch, pages of batches, due lines, counts and results. */
function batchReads(db: SimDb['db']) {
  const getRow = db.query<BatchRow, [string]>(`SELECT ${BATCH_COLUMNS} FROM sim_batches WHERE id = ?`)
  return {
    get: (id: string): SimBatch | undefined => {
      const r = getRow.get(id)
      return r ? toBatch(r) : undefined
    },
    /**
     * One page of a dialect's batches, newest first. `after`: older than that id; `before`:
     * newer than that id (the page nearest to it). `more` says whether the list goes on past the page.
     */
    page(dialect: SimBatch['dialect'], q: { after?: string | null; before?: string | null; limit: number }): { batches: SimBatch[]; more: boolean } {
      const seqOf = (id: string) => db.query<{ seq: number }, [string]>('SELECT seq FROM sim_batches WHERE id = ?').get(id)?.seq ?? null
      if (q.before) {
        const rows = db.query<BatchRow, [string, number | null, number]>(`SELECT ${BATCH_COLUMNS} FROM sim_batches WHERE dialect = ?1 AND (?2 IS NULL OR seq > ?2) ORDER BY seq ASC LIMIT ?3`).all(dialect, seqOf(q.before), q.limit + 1)
        return { batches: rows.slice(0, q.limit).reverse().map(toBatch), more: rows.length > q.limit }
      }
      const cursor = q.after ? seqOf(q.after) : null
      const rows = db.query<BatchRow, [string, number | null, number]>(`SELECT ${BATCH_COLUMNS} FROM sim_batches WHERE dialect = ?1 AND (?2 IS NULL OR seq < ?2) ORDER BY seq DESC LIMIT ?3`).all(dialect, cursor, q.limit + 1)
      return { batches: rows.slice(0, q.limit).map(toBatch), more: rows.length > q.limit }
    },
    /** Up to `limit` lines that have not run and are due at `upTo`, in order (finish times grow with the index). */
    dueLines(id: string, upTo: number, limit: number): SimBatchLine[] {
      return db.query<LineRow, [string, number, number]>('SELECT idx, custom_id, body, finish_at, outcome, result FROM sim_lines WHERE batch_id = ? AND outcome IS NULL AND finish_at <= ? ORDER BY finish_at, idx LIMIT ?').all(id, upTo, limit).map(toLine)
    },
    /** The batch's line counts, kept on its row as lines run and when it ends. */
    counts(id: string): LineCounts {
      const r = db.query<{ line_count: number; ok_count: number; failed_count: number; expired_count: number; cancelled_count: number }, [string]>('SELECT line_count, ok_count, failed_count, expired_count, cancelled_count FROM sim_batches WHERE id = ?').get(id)
      if (!r) return { ok: 0, failed: 0, notRun: 0, expired: 0, cancelled: 0 }
      return { ok: r.ok_count, failed: r.failed_count, expired: r.expired_count, cancelled: r.cancelled_count, notRun: r.line_count - r.ok_count - r.failed_count - r.expired_count - r.cancelled_count }
    },
    /** Every line's custom id and result in order, read a page at a time (results files of any size). */
    *results(id: string, pageSize = 1000): Generator<{ customId: string; result?: LineResult }> {
      let after = -1
      for (;;) {
        const rows = db.query<{ idx: number; custom_id: string; result: string | null }, [string, number, number]>('SELECT idx, custom_id, result FROM sim_lines WHERE batch_id = ? AND idx > ? ORDER BY idx LIMIT ?').all(id, after, pageSize)
        for (const r of rows) yield { customId: r.custom_id, ...(r.result ? { result: JSON.parse(r.result) as LineResult } : {}) }
        if (rows.length < pageSize) return
        after = rows[rows.length - 1]!.idx
      }
    },
  }
}

/** The batch and line rows of one simulator. */
export type BatchTable = ReturnType<typeof createBatchTable>
