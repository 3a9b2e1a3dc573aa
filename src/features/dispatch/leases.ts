/**
 * The one claim / lease / extend / rescue helper (style "Work that waits", after River and Oban),
 * used by every kind of leased row: items (runners), provider jobs (submitting and polling),
 * webhook events (delivery), batches (routing and finalizing) — and edge nodes' leases next.
 *
 * A claim is one `UPDATE … SET lease_id = ? WHERE rowid IN (SELECT … LIMIT n) RETURNING …`
 * plus one `leases` row (id, kind, holder, lease_until): the rows claimed together share the
 * lease. The holder may extend it. Writing a row's outcome clears its `lease_id`; ending the lease
 * gives back any row still holding it; a lease whose `lease_until` passed is ended by rescue. The
 * statements are prepared once per database and per claim (bun:sqlite, `$name` parameters), so
 * a claim on the dispatch hot path costs no SQL building.
 */
import type { Statement } from 'bun:sqlite'
import { getTableColumns, getTableName, type Column } from 'drizzle-orm'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { Deps, JobName } from '../../deps'
import type { Db } from '../../db/client'
import { writeTx } from '../../db/tx'
import { newId } from '../../lib/ids'

type Params = Record<string, string | number | null>

/** A kind of leased row: its table (with `id` and `lease_id` columns) and what a lapsed lease gives back. */
export interface LeaseKind {
  /** Stored in `leases.kind`; unique per kind. */
  name: string
  table: SQLiteTable
  /**
   * Besides clearing `lease_id`, what a row gets when its lease ends unsettled: SQL `SET`
   * assignments (`$now` is the time), applied to the rows matching `where` (e.g. still `running`).
   */
  giveBack?: { set: string; where?: string }
  /** The job that takes such rows up again, woken after a rescue. */
  nudge?: JobName
}

/** A claim's rows and the lease they share (null when nothing was claimed). */
export interface Claimed<R> {
  leaseId: string | null
  rows: R[]
}

/** One kind of claim: which rows of a kind are claimable, in which order, and what a claim sets and returns. */
export interface ClaimSpec<T extends SQLiteTable, K extends keyof T['$inferSelect'] & string> {
  kind: LeaseKind & { table: T }
  /** Condition of a claimable row besides being unleased; `$name` parameters come from `params`. */
  where: string
  orderBy: string
  /** More `SET` assignments for the claimed rows (`status = 'running'`); `$now` is the time. */
  set?: string
  /** A column bumped by one on every claim: the attempt number that fences outcomes. */
  attemptColumn?: string
  /** Fields returned for each claimed row (decoded like drizzle decodes them). */
  returning: readonly K[]
}

/** What a claim needs at run time. */
export interface ClaimOptions {
  holder: string
  /** The lease lapses at this time unless extended. */
  until: number
  limit: number
  now: number
  params?: Params
}

/** A declared claim: probe (read-only), claim inside a caller's transaction, or claim in its own. */
export interface ClaimQuery<R> {
  /** Whether any row is claimable at `now` (a read; an idle tick takes no write lock). */
  anyDue(deps: Deps, now: number, params?: Params): boolean
  /** Claims up to `limit` rows; call inside a write transaction (writeTx). */
  claimInTx(deps: Deps, opts: ClaimOptions): Claimed<R>
  /** Probes, then claims in a write transaction of its own. */
  claim(deps: Deps, opts: ClaimOptions): Claimed<R>
}

/** Declares a claim over `spec.kind.table`; its statements are prepared on first use per database. */
export function defineClaim<T extends SQLiteTable, K extends keyof T['$inferSelect'] & string>(spec: ClaimSpec<T, K>): ClaimQuery<Pick<T['$inferSelect'], K>> {
  type Row = Pick<T['$inferSelect'], K>
  const table = getTableName(spec.kind.table)
  const columns = getTableColumns(spec.kind.table) as Record<string, Column>
  const decoders = spec.returning.map((key) => [key, columns[key]!] as const)
  const returning = decoders.map(([key, col]) => `"${col.name}" AS "${key}"`).join(', ')
  const free = `lease_id IS NULL AND (${spec.where})`
  const sets = ['lease_id = $leaseId', ...(spec.attemptColumn ? [`${spec.attemptColumn} = ${spec.attemptColumn} + 1`] : []), ...(spec.set ? [spec.set] : [])].join(', ')
  const statements = perDb((db) => ({
    probe: db.$client.prepare(`SELECT 1 FROM "${table}" WHERE ${free} LIMIT 1`),
    claim: db.$client.prepare(`UPDATE "${table}" SET ${sets} WHERE rowid IN (SELECT rowid FROM "${table}" WHERE ${free} ORDER BY ${spec.orderBy} LIMIT $limit) RETURNING ${returning}`),
  }))
  const decode = (raw: Record<string, unknown>): Row => {
    for (const [key, col] of decoders) if (raw[key] !== null && needsDecoding(col)) raw[key] = col.mapFromDriverValue(raw[key])
    return raw as Row
  }
  const query: ClaimQuery<Row> = {
    anyDue: (deps, now, params = {}) => statements(deps.db).probe.get(bind(params, now)) !== null,
    claimInTx(deps, opts) {
      const leaseId = newId('lease')
      const raw = statements(deps.db).claim.all({ ...bind(opts.params ?? {}, opts.now), leaseId, limit: opts.limit }) as Record<string, unknown>[]
      if (raw.length === 0) return { leaseId: null, rows: [] }
      insertLease(deps, leaseId, spec.kind, opts.holder, opts.until, opts.now)
      return { leaseId, rows: raw.map(decode) }
    },
    claim(deps, opts) {
      if (!query.anyDue(deps, opts.now, opts.params)) return { leaseId: null, rows: [] }
      return writeTx(deps.db, () => query.claimInTx(deps, opts))
    },
  }
  return query
}

/** A lease for rows the caller marks itself (e.g. provider jobs it inserts); call inside its transaction. */
export function openLeaseInTx(deps: Deps, kind: LeaseKind, holder: string, until: number): string {
  const leaseId = newId('lease')
  insertLease(deps, leaseId, kind, holder, until, deps.clock.now())
  return leaseId
}

/** Moves the lease's end to `until`; false when the lease is gone (rescued: its rows went back). */
export function extendLease(deps: Deps, leaseId: string, until: number): boolean {
  return leaseStatements(deps.db).extend.run({ id: leaseId, until }).changes > 0
}

/** Ends a lease inside the caller's transaction: rows still holding it are given back, the lease row goes. */
export function endLeaseInTx(deps: Deps, kind: LeaseKind, leaseId: string, now: number): number {
  const back = giveBack(deps, kind, JSON.stringify([leaseId]), now)
  leaseStatements(deps.db).end.run({ ids: JSON.stringify([leaseId]) })
  return back
}

/** Ends a lease in a transaction of its own (see endLeaseInTx). */
export function endLease(deps: Deps, kind: LeaseKind, leaseId: string, now: number): number {
  return writeTx(deps.db, () => endLeaseInTx(deps, kind, leaseId, now))
}

/**
 * Ends every lease that lapsed before `before` (default `now`; at start-up, every lease: this
 * process owns the data dir, so no holder is left) and gives its rows back. Returns the rows given
 * back per kind name. Leases of a kind not in `kinds` are left alone.
 */
export function rescueLapsedLeases(deps: Deps, kinds: readonly LeaseKind[], now: number, before = now): Map<string, number> {
  const out = new Map<string, number>()
  const s = leaseStatements(deps.db)
  if (s.anyLapsed.get({ before }) === null) return out
  writeTx(deps.db, () => {
    const lapsed = s.lapsed.all({ before }) as Array<{ id: string; kind: string }>
    for (const kind of kinds) {
      const ids = lapsed.filter((l) => l.kind === kind.name).map((l) => l.id)
      if (ids.length === 0) continue
      out.set(kind.name, giveBack(deps, kind, JSON.stringify(ids), now))
      s.end.run({ ids: JSON.stringify(ids) })
    }
  })
  return out
}

/** Clears `lease_id` on every row of the leases in `idsJson`, applying the kind's give-back first. */
function giveBack(deps: Deps, kind: LeaseKind, idsJson: string, now: number): number {
  const s = kindStatements(deps.db, kind)
  const back = s.giveBack ? s.giveBack.run({ ids: idsJson, now }).changes : 0
  return back + s.release.run({ ids: idsJson }).changes
}

function insertLease(deps: Deps, id: string, kind: LeaseKind, holder: string, until: number, now: number): void {
  leaseStatements(deps.db).insert.run({ id, kind: kind.name, holder, until, now })
}

/** A constant list for SQL (`'queued', 'running'`): statuses from a transition guard, never user input. */
export function sqlList(values: readonly string[]): string {
  return values.map((v) => `'${v.replaceAll("'", "''")}'`).join(', ')
}

/** `$now` is bound whenever a statement names it. */
function bind(params: Params, now: number): Params {
  return { now, ...params }
}

/** json and boolean columns are decoded; text and integer ones are returned as stored. */
function needsDecoding(col: Column): boolean {
  return col.columnType !== 'SQLiteText' && col.columnType !== 'SQLiteInteger'
}

const IN_IDS = 'IN (SELECT value FROM json_each($ids))'

const leaseStatements = perDb((db) => ({
  insert: db.$client.prepare('INSERT INTO leases (id, kind, holder, lease_until, created_at) VALUES ($id, $kind, $holder, $until, $now)'),
  extend: db.$client.prepare('UPDATE leases SET lease_until = $until WHERE id = $id'),
  end: db.$client.prepare(`DELETE FROM leases WHERE id ${IN_IDS}`),
  anyLapsed: db.$client.prepare('SELECT 1 FROM leases WHERE lease_until < $before LIMIT 1'),
  lapsed: db.$client.prepare('SELECT id, kind FROM leases WHERE lease_until < $before ORDER BY lease_until LIMIT 1000'),
}))

const kindCache = new WeakMap<Db, Map<string, { giveBack: Statement | null; release: Statement }>>()

function kindStatements(db: Db, kind: LeaseKind) {
  let perKind = kindCache.get(db)
  if (!perKind) kindCache.set(db, (perKind = new Map()))
  let s = perKind.get(kind.name)
  if (!s) {
    const table = getTableName(kind.table)
    const back = kind.giveBack
    s = {
      giveBack: back ? db.$client.prepare(`UPDATE "${table}" SET lease_id = NULL, ${back.set} WHERE lease_id ${IN_IDS}${back.where ? ` AND (${back.where})` : ''}`) : null,
      release: db.$client.prepare(`UPDATE "${table}" SET lease_id = NULL WHERE lease_id ${IN_IDS}`),
    }
    perKind.set(kind.name, s)
  }
  return s
}

/** Statements prepared once per database (tests run many apps in one process). */
function perDb<S>(prepare: (db: Db) => S): (db: Db) => S {
  const cache = new WeakMap<Db, S>()
  return (db) => {
    let s = cache.get(db)
    if (!s) cache.set(db, (s = prepare(db)))
    return s
  }
}
