/**
 * Real processes for the reliability suites: a standalone provider simulator serving every
 * dialect (OpenAI Batch, Anthropic Message Batches, OpenAI-compatible requests) and the router
 * pointed at it, mixed batches over request lanes and both provider-batch dialects, and the
 * invariants read back from the router's data dir once it is stopped: every item exactly one
 * result, no failure caused by a restart, reserved = charged + released per reservation, and the
 * account = grants − charges.
 */
import { Database } from 'bun:sqlite'
import { expect } from 'bun:test'
import { join } from 'node:path'
import { startServerProcess, waitFor, type ApiClient, type ServerProcess } from '../helpers/process'

/** Models of the mixed batches and the lane kind each runs on (default catalog). */
export const MIXED_MODELS = [
  { model: 'gpt-4o-mini', offering: 'openai-batch-gpt-4o-mini' }, // OpenAI Batch dialect
  { model: 'claude-haiku-4-5', offering: 'anthropic-batch-claude-haiku-4-5' }, // Anthropic Message Batches
  { model: 'llama-3.1-8b-instruct', offering: 'openhost-llama-3.1-8b-instruct' }, // request lane (one call per item)
] as const

/** Catalog override: the three providers of MIXED_MODELS at the simulator, no credentials needed. */
export function catalogAt(simUrl: string) {
  return {
    providers: [
      { id: 'openai', kind: 'openai-batch', base_url: `${simUrl}/v1`, api_key_env: '' },
      { id: 'anthropic', kind: 'anthropic-batches', base_url: simUrl, api_key_env: '' },
      { id: 'openhost', kind: 'openai-compatible', base_url: `${simUrl}/v1`, api_key_env: '' },
    ],
  }
}

/** Starts the router on `dataDir` against the simulator at `simUrl`. */
export function startRouter(dataDir: string, simUrl: string, port?: number): Promise<ServerProcess> {
  return startServerProcess({ dataDir, port, config: { tickMs: 50, startingCredit: '1000.00', logLevel: 'warn', catalog: catalogAt(simUrl) } })
}

/** `n` chat items spread round-robin over MIXED_MODELS, ids `tag-0 … tag-(n-1)`. */
export function mixedItems(n: number, tag: string) {
  return Array.from({ length: n }, (_, i) => ({
    customer_item_id: `${tag}-${i}`,
    operation: 'responses',
    model: MIXED_MODELS[i % MIXED_MODELS.length]!.model,
    input: { messages: [{ role: 'user', content: `Say something short about ${tag} number ${i}.` }], max_tokens: 16 },
  }))
}

/** Creates a mixed batch pinned to the three providers (no edge lane waiting for a node). */
export async function createMixedBatch(client: ApiClient, n: number, tag: string): Promise<string> {
  const res = await client.post('/v1/batches', { items: mixedItems(n, tag), provider_preferences: { only: ['openai', 'anthropic', 'openhost'] } }, { 'idempotency-key': `reliability-${tag}-0001` })
  if (res.status !== 202) throw new Error(`create answered ${res.status}: ${JSON.stringify(res.body)}`)
  return res.body.id as string
}

/** Opens the router's database read-only (WAL: safe while it runs). */
export function routerDb(dataDir: string): Database {
  return new Database(join(dataDir, 'router.db'), { readonly: true })
}

/** Count of rows answering `sql` (one `n` column) in the router's database. */
export function countRows(dataDir: string, sql: string, ...params: string[]): number {
  const db = routerDb(dataDir)
  try {
    return (db.query(sql).get(...params) as { n: number }).n
  } finally {
    db.close()
  }
}

const TERMINAL = ['completed', 'failed', 'cancelled', 'expired']

/** Waits until every batch is terminal (GET /v1/batches/{id}); returns their statuses. */
export async function waitTerminal(client: ApiClient, batchIds: readonly string[], timeoutMs: number): Promise<string[]> {
  return waitFor('every batch to be terminal', async () => {
    const statuses = await Promise.all(batchIds.map(async (id) => (await client.get(`/v1/batches/${id}`)).body?.batch?.status as string))
    return statuses.every((s) => TERMINAL.includes(s)) ? statuses : null
  }, { timeoutMs, everyMs: 200 })
}

/** Every result of a batch over the API (paged). */
export async function allResults(client: ApiClient, batchId: string): Promise<Array<{ batch_item_id: string; customer_item_id: string; status: string; attempts: number; model: string; error: { code: string; message: string } | null }>> {
  const out = []
  let cursor: string | null = null
  do {
    const res: { status: number; body: any } = await client.get(`/v1/batches/${batchId}/results?limit=1000${cursor ? `&cursor=${cursor}` : ''}`)
    expect(res.status).toBe(200)
    out.push(...res.body.results)
    cursor = res.body.next_cursor
  } while (cursor)
  return out
}

/** What the runs report: items, re-sends (extra attempts), provider jobs lost and re-adopted. */
export interface RunFigures {
  items: number
  completed: number
  failed: number
  extraAttempts: number
  lostJobs: number
  failureCauseJobs: number
}

/**
 * Asserts the invariants over the API and the data dir: every item of each batch exactly one
 * completed result; no provider job ended with a cause that counts against a circuit; per
 * reservation reserved = charged + released; the account = grants − charges (nothing reserved).
 */
export async function expectReconciled(client: ApiClient, dataDir: string, batches: ReadonlyArray<{ id: string; n: number; tag: string }>): Promise<RunFigures> {
  const figures: RunFigures = { items: 0, completed: 0, failed: 0, extraAttempts: 0, lostJobs: 0, failureCauseJobs: 0 }
  for (const b of batches) {
    const results = await allResults(client, b.id)
    expect(results).toHaveLength(b.n)
    expect(new Set(results.map((r) => r.batch_item_id)).size).toBe(b.n)
    expect(new Set(results.map((r) => r.customer_item_id))).toEqual(new Set(Array.from({ length: b.n }, (_, i) => `${b.tag}-${i}`)))
    figures.items += results.length
    figures.completed += results.filter((r) => r.status === 'completed').length
    figures.failed += results.filter((r) => r.status !== 'completed').length
    figures.extraAttempts += results.reduce((a, r) => a + Math.max(0, r.attempts - 1), 0)
    const failures = results.filter((r) => r.status !== 'completed').slice(0, 3)
    expect(failures.map((r) => `${r.model}: ${r.error?.message}`)).toEqual([])
  }
  const db = routerDb(dataDir)
  try {
    const causes = db.query('SELECT cause, count(*) AS n FROM provider_jobs GROUP BY cause').all() as Array<{ cause: string | null; n: number }>
    figures.lostJobs = causes.find((c) => c.cause === 'provider_lost')?.n ?? 0
    figures.failureCauseJobs = causes.filter((c) => ['provider_failed', 'provider_expired', 'lane_stalled'].includes(c.cause ?? '')).reduce((a, c) => a + c.n, 0)
    expect(figures.failureCauseJobs).toBe(0)
    const reservations = db.query(`SELECT r.id, r.amount, r.charged, r.released, r.status,
        (SELECT coalesce(sum(amount), 0) FROM ledger_entries e WHERE e.reservation_id = r.id AND e.kind = 'reserve') AS reserve,
        (SELECT coalesce(sum(amount), 0) FROM ledger_entries e WHERE e.reservation_id = r.id AND e.kind = 'charge') AS charge,
        (SELECT coalesce(sum(amount), 0) FROM ledger_entries e WHERE e.reservation_id = r.id AND e.kind = 'release') AS release
      FROM reservations r`).all() as Array<Record<string, number | string>>
    expect(reservations.length).toBe(batches.length)
    for (const r of reservations) {
      expect(r.status).toBe('settled')
      expect(r.reserve).toBe(r.amount)
      expect(r.reserve).toBe(Number(r.charge) + Number(r.release))
      expect(r.charge).toBe(r.charged)
    }
    const org = db.query(`SELECT
        (SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE org_id = $org AND kind = 'grant') AS grants,
        (SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE org_id = $org AND kind = 'charge') AS charges,
        (SELECT coalesce(sum(cost_micros), 0) FROM items WHERE batch_id IN (SELECT id FROM batches WHERE org_id = $org)) AS itemCosts`).get({ $org: client.orgId }) as { grants: number; charges: number; itemCosts: number }
    expect(org.charges).toBe(org.itemCosts)
    const account = await client.get('/v1/auth/account')
    expect(account.body.reserved_balance).toBe('0.000000')
    expect(microsOf(account.body.credit_balance)).toBe(org.grants - org.charges)
  } finally {
    db.close()
  }
  return figures
}

function microsOf(amount: string): number {
  const [whole, frac = ''] = amount.split('.')
  return Number(whole) * 1_000_000 + Number(frac.padEnd(6, '0'))
}
