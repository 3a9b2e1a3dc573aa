/**
 * Helpers for batch tests: item builders, create/poll/page over HTTP, the simulator's control
 * surface, a fake-clock job driver, and direct reads of the ledger and batch tables.
 */
import { count, eq, getTableName } from 'drizzle-orm'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import { readdirSync } from 'node:fs'
import { batchesTable, idempotencyTable } from '../../src/features/batches/table'
import { itemsTable, type ItemRow } from '../../src/features/items/table'
import { lanesTable } from '../../src/features/dispatch/table'
import { ledgerEntriesTable, reservationsTable, type LedgerEntryRow, type ReservationRow } from '../../src/features/credits/table'
import { filesTable } from '../../src/features/files/table'
import { quotesTable } from '../../src/features/quotes/table'
import { isTerminal } from '../../src/features/batches/state'
import { openLeaseInTx, type LeaseKind } from '../../src/features/dispatch/leases'
import { parseMicros } from '../../src/lib/money'
import type { FakeClock } from '../../src/lib/clock'
import { json, type TestApp } from './test-app'

type Auth = Record<string, string>

// ---- request-style models ----------------------------------------------------------------------

/**
 * Models served (in demo mode) by the request-style `openai-compatible` openhost provider, where
 * each item is one upstream call: the path whose retries, attempts and aborts these tests watch.
 * Batches pin them to openhost with OPENHOST_ONLY.
 */
export const LLAMA = 'llama-3.1-8b-instruct'
/** The name openhost sends upstream for LLAMA (the key of a per-model simulator scenario). */
export const LLAMA_UPSTREAM = 'meta-llama/Llama-3.1-8B-Instruct'
export const NOMIC = 'nomic-embed-text'
export const OPENHOST_ONLY = { provider_preferences: { only: ['openhost'] } }

// ---- item builders -------------------------------------------------------------------------

/** A native chat (`responses`) item. */
export function chatItem(id: string, model = 'gpt-4o-mini', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { customer_item_id: id, operation: 'responses', model, input: { messages: [{ role: 'user', content: `Say hello to ${id}` }], ...extra } }
}

/** A native embeddings item. */
export function embeddingItem(id: string, model = 'text-embedding-3-small'): Record<string, unknown> {
  return { customer_item_id: id, operation: 'embeddings', model, input: { input: `Embed the words of ${id}` } }
}

/** `n` chat items `prefix-1 … prefix-n` for one model. */
export function chatItems(n: number, model = 'gpt-4o-mini', prefix = 'item'): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => chatItem(`${prefix}-${i + 1}`, model))
}

/** JSONL text (newline-terminated) of the given lines; strings are written verbatim. */
export function jsonl(lines: unknown[]): string {
  return lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n'
}

// ---- HTTP shortcuts ----------------------------------------------------------------------------

const jsonHeaders = (auth: Auth, extra: Record<string, string> = {}) => ({ 'content-type': 'application/json', ...auth, ...extra })

/** POST /v1/batches with a JSON body; `key` becomes the Idempotency-Key header when given. */
export function postBatch(app: TestApp, auth: Auth, body: unknown, key?: string) {
  return json(app.request('/v1/batches', { method: 'POST', headers: jsonHeaders(auth, key === undefined ? {} : { 'idempotency-key': key }), body: typeof body === 'string' ? body : JSON.stringify(body) }))
}

/** POST /v1/quotes/model with a JSON body. */
export function postQuote(app: TestApp, auth: Auth, body: unknown) {
  return json(app.request('/v1/quotes/model', { method: 'POST', headers: jsonHeaders(auth), body: typeof body === 'string' ? body : JSON.stringify(body) }))
}

/** GET a path with the key, parsed. */
export function getJson(app: TestApp, auth: Auth, path: string) {
  return json(app.request(path, { headers: auth }))
}

/** Uploads `text` as a raw JSONL file; returns the file id (asserts 200). */
export async function uploadJsonl(app: TestApp, auth: Auth, text: string): Promise<string> {
  const res = await json(app.request('/v1/files', { method: 'POST', headers: { ...auth, 'content-type': 'application/jsonl' }, body: text }))
  if (res.status !== 200) throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body.id as string
}

/** A unique-enough Idempotency-Key. */
export function newKey(label = 'key'): string {
  return `${label}-${crypto.randomUUID()}`
}

/**
 * Polls GET /v1/batches/{id} over real time (scheduler-driven tests) until the native status is
 * terminal; throws with the last body after `timeoutMs`.
 */
export async function waitForTerminal(app: TestApp, auth: Auth, batchId: string, timeoutMs = 15_000): Promise<any> {
  const deadline = Date.now() + timeoutMs
  let last: any
  while (Date.now() < deadline) {
    last = (await getJson(app, auth, `/v1/batches/${batchId}`)).body
    if (last?.batch && isTerminal(last.batch.status)) return last
    await Bun.sleep(25)
  }
  throw new Error(`batch ${batchId} did not finish within ${timeoutMs} ms; last: ${JSON.stringify(last?.batch ?? last)}`)
}

/** Pages GET /v1/batches/{id}/results with `limit` until next_cursor is null; returns every page. */
export async function pageAllResults(app: TestApp, auth: Auth, batchId: string, limit = 100, query = ''): Promise<{ pages: any[]; results: any[] }> {
  const pages: any[] = []
  let cursor: string | null = null
  for (let i = 0; i < 10_000; i++) {
    const qs = `limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}${query ? `&${query}` : ''}`
    const res = await getJson(app, auth, `/v1/batches/${batchId}/results?${qs}`)
    if (res.status !== 200) throw new Error(`results page failed: ${res.status} ${JSON.stringify(res.body)}`)
    pages.push(res.body)
    cursor = res.body.next_cursor
    if (!cursor) break
  }
  return { pages, results: pages.flatMap((p) => p.results) }
}

// ---- simulator control -------------------------------------------------------------------------

/** PUT /_sim/scenario (demo apps only). */
export async function setSimScenario(app: TestApp, scenario: Record<string, unknown>): Promise<void> {
  const res = await app.request('/_sim/scenario', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(scenario) })
  if (res.status !== 200) throw new Error(`scenario refused: ${res.status} ${await res.text()}`)
}

/** GET /_sim/stats. */
export async function simStats(app: TestApp): Promise<{ total: number; by_path: Record<string, number>; by_model: Record<string, number>; by_custom_id: Record<string, number>; by_status: Record<string, number> }> {
  return (await json(app.request('/_sim/stats'))).body
}

/** POST /_sim/reset. */
export async function resetSim(app: TestApp): Promise<void> {
  await app.request('/_sim/reset', { method: 'POST' })
}

// ---- fake-clock driving --------------------------------------------------------------------------

/**
 * One scheduler round by hand: route, dispatch, wait for every provider call and its outcome,
 * advance the clock past any retry backoff (`stepMs`), then finalize.
 */
export async function runRound(app: TestApp, clock: FakeClock, stepMs = 70_000): Promise<void> {
  await app.runJob('route-batches')
  await app.runJob('dispatch-items')
  await app.settleDispatch()
  clock.advance(stepMs)
  // Provider jobs of the batch dialects (OpenAI Batch, Message Batches) are polled on the advanced clock.
  await app.runJob('collect-results')
  await app.runJob('finalize-batches')
}

/** Runs rounds until the batch row is terminal; throws after `maxRounds`. Returns the row. */
export async function driveToTerminal(app: TestApp, clock: FakeClock, batchId: string, maxRounds = 20) {
  for (let i = 0; i < maxRounds; i++) {
    await runRound(app, clock)
    const row = batchRow(app, batchId)
    if (row && isTerminal(row.status)) return row
  }
  throw new Error(`batch ${batchId} still ${batchRow(app, batchId)?.status} after ${maxRounds} rounds`)
}

// ---- database reads ------------------------------------------------------------------------------

/**
 * A crash after a claim, by hand: rows `ids` of `kind` held under one lease that ends at `until`
 * (in the past: already lapsed, as after a long outage). Returns the lease id.
 */
export function leaseRows(app: TestApp, kind: LeaseKind, ids: readonly string[], until: number): string {
  const leaseId = openLeaseInTx(app.deps, kind, 'crashed-holder', until)
  const stamp = app.deps.db.$client.prepare(`UPDATE "${getTableName(kind.table)}" SET lease_id = ? WHERE id = ?`)
  for (const id of ids) stamp.run(leaseId, id)
  return leaseId
}

export function batchRow(app: TestApp, batchId: string) {
  return app.deps.db.select().from(batchesTable).where(eq(batchesTable.id, batchId)).get()
}

/** Items of a batch in input order. */
export function itemRows(app: TestApp, batchId: string): ItemRow[] {
  return app.deps.db.select().from(itemsTable).where(eq(itemsTable.batchId, batchId)).orderBy(itemsTable.seq).all()
}

export function reservationOfBatch(app: TestApp, batchId: string): ReservationRow | undefined {
  return app.deps.db.select().from(reservationsTable).where(eq(reservationsTable.batchId, batchId)).get()
}

export function ledgerOfOrg(app: TestApp, orgId: string): LedgerEntryRow[] {
  return app.deps.db.select().from(ledgerEntriesTable).where(eq(ledgerEntriesTable.orgId, orgId)).orderBy(ledgerEntriesTable.id).all()
}

/** Sums of the ledger entries of one reservation, by kind, in micro-dollars. */
export function ledgerSums(app: TestApp, reservationId: string): { reserve: number; charge: number; release: number; entries: number } {
  const rows = app.deps.db.select().from(ledgerEntriesTable).where(eq(ledgerEntriesTable.reservationId, reservationId)).all()
  const sum = (kind: string) => rows.filter((r) => r.kind === kind).reduce((a, r) => a + r.amount, 0)
  return { reserve: sum('reserve'), charge: sum('charge'), release: sum('release'), entries: rows.length }
}

/** A wire money string in micro-dollars (throws on a malformed amount). */
export function micros(amount: string): number {
  if (!/^\d+\.\d{6}$/.test(amount)) throw new Error(`not a 6-decimal money string: ${amount}`)
  return parseMicros(amount)!
}

/** Row counts of every table a refused request must leave untouched, plus files on disk and tmp/. */
export function storeTrace(app: TestApp) {
  const n = (table: SQLiteTable) => app.deps.db.select({ n: count() }).from(table).get()!.n
  const nonGrant = app.deps.db.select().from(ledgerEntriesTable).all().filter((e) => e.kind !== 'grant').length
  return {
    batches: n(batchesTable),
    items: n(itemsTable),
    lanes: n(lanesTable),
    reservations: n(reservationsTable),
    ledgerNonGrant: nonGrant,
    idempotency: n(idempotencyTable),
    quotes: n(quotesTable),
    fileRows: n(filesTable),
    filesOnDisk: readdirSync(app.deps.paths.files).length,
    tmp: readdirSync(app.deps.paths.tmp).length,
  }
}
