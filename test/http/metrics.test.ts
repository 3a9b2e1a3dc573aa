/**
 * GET /metrics: Prometheus text from the app's own registry — requests by route template, job
 * passes, provider outcomes, and gauges read from the database on scrape — with no counter shared
 * between two apps in one process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { eq, sql } from 'drizzle-orm'
import { batchesTable } from '../../src/features/batches/table'
import { ledgerEntriesTable } from '../../src/features/credits/table'
import { json, startTestApp, type TestApp } from '../helpers/test-app'
import { LLAMA, OPENHOST_ONLY, chatItems, newKey, postBatch, waitForTerminal } from '../helpers/batch-helpers'

interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** Parses the sample lines of a text exposition (comments skipped). */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!m) continue
    const labels: Record<string, string> = {}
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!
    samples.push({ name: m[1]!, labels, value: Number(m[3]) })
  }
  return samples
}

/** The value of the one sample of `name` whose labels include `labels`; undefined when absent. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} samples`)
  return found[0]?.value
}

async function scrape(app: TestApp, headers: Record<string, string> = {}): Promise<{ text: string; samples: Sample[] }> {
  const res = await app.request('/metrics', { headers })
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toStartWith('text/plain; version=0.0.4')
  const text = await res.text()
  return { text, samples: parseExposition(text) }
}

let a: TestApp
let b: TestApp
beforeAll(async () => {
  ;[a, b] = await Promise.all([startTestApp({ config: { demo: true, tickMs: 100 } }), startTestApp({ config: { demo: true }, scheduler: false })])
})
afterAll(() => Promise.all([a.close(), b.close()]))

describe('GET /metrics', () => {
  it('answers 200 Prometheus text without a key', async () => {
    const { text } = await scrape(a)
    expect(text).toContain('# TYPE batchrouter_http_requests_total counter')
    expect(text).toContain('# TYPE batchrouter_http_request_duration_seconds histogram')
    expect(text).toContain('# TYPE batchrouter_batches gauge')
  })

  it('counts requests under their route template, never the raw path; unknown paths as `unmatched`', async () => {
    const org = a.newOrg()
    await a.request('/v1/batches/bat_first0000000000000000000', { headers: org.auth })
    await a.request('/v1/batches/bat_second000000000000000000', { headers: org.auth })
    await a.request('/no/such/path/123')
    const { text, samples } = await scrape(a)
    expect(valueOf(samples, 'batchrouter_http_requests_total', { method: 'GET', route: '/v1/batches/:id', status: '404' })).toBe(2)
    expect(valueOf(samples, 'batchrouter_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1)
    expect(valueOf(samples, 'batchrouter_http_request_duration_seconds_count', { method: 'GET', route: '/v1/batches/:id' })).toBe(2)
    expect(text).not.toContain('bat_first')
    expect(text).not.toContain('/no/such/path')
  })

  it('after a completed demo batch: job passes, provider outcomes, and gauges equal to the database', async () => {
    const org = a.newOrg('5')
    const created = await postBatch(a, org.auth, { items: chatItems(3, LLAMA), ...OPENHOST_ONLY }, newKey('metrics'))
    expect(created.status).toBe(202)
    await waitForTerminal(a, org.auth, created.body.id)
    await a.settleDispatch()
    const { samples } = await scrape(a)
    expect(valueOf(samples, 'batchrouter_provider_outcomes_total', { provider: 'openhost', kind: 'ok' })).toBe(3)
    expect(valueOf(samples, 'batchrouter_job_passes_total', { job: 'route-batches' })).toBeGreaterThan(0)
    expect(valueOf(samples, 'batchrouter_job_failures_total', { job: 'route-batches' })).toBeUndefined()
    const byStatus = a.deps.db.select({ status: batchesTable.status, n: sql<number>`count(*)` }).from(batchesTable).groupBy(batchesTable.status).all()
    expect(byStatus).toEqual([{ status: 'completed', n: 1 }])
    expect(valueOf(samples, 'batchrouter_batches', { status: 'completed' })).toBe(1)
    expect(valueOf(samples, 'batchrouter_batches', { status: 'pending' })).toBe(0)
    for (const status of ['pending', 'queued', 'running', 'completed']) expect(valueOf(samples, 'batchrouter_active_items', { status })).toBe(0)
    const sum = (kind: 'grant' | 'charge') => a.deps.db.select({ s: sql<number>`coalesce(sum(${ledgerEntriesTable.amount}), 0)` }).from(ledgerEntriesTable).where(eq(ledgerEntriesTable.kind, kind)).get()!.s
    expect(sum('charge')).toBeGreaterThan(0)
    expect(valueOf(samples, 'batchrouter_ledger_usd', { total: 'granted' })).toBeCloseTo(sum('grant') / 1e6, 6)
    expect(valueOf(samples, 'batchrouter_ledger_usd', { total: 'charged' })).toBeCloseTo(sum('charge') / 1e6, 6)
    expect(valueOf(samples, 'batchrouter_ledger_usd', { total: 'reserved' })).toBe(0)
  })

  it('shows the items of an unfinished batch by status, and its credit as reserved', async () => {
    const org = b.newOrg('5')
    const created = await postBatch(b, org.auth, { items: chatItems(4, LLAMA), ...OPENHOST_ONLY }, newKey('metrics'))
    expect(created.status).toBe(202)
    const { samples } = await scrape(b)
    expect(valueOf(samples, 'batchrouter_batches', { status: 'pending' })).toBe(1)
    expect(valueOf(samples, 'batchrouter_active_items', { status: 'pending' })).toBe(4)
    expect(valueOf(samples, 'batchrouter_ledger_usd', { total: 'reserved' })).toBeGreaterThan(0)
    expect(valueOf(samples, 'batchrouter_ledger_usd', { total: 'granted' })).toBe(5)
  })

  it('two apps in one process count only their own work', async () => {
    const before = valueOf((await scrape(a)).samples, 'batchrouter_http_requests_total', { method: 'GET', route: '/healthz', status: '200' }) ?? 0
    for (let i = 0; i < 3; i++) expect((await b.request('/healthz')).status).toBe(200)
    const [fromA, fromB] = [(await scrape(a)).samples, (await scrape(b)).samples]
    expect(valueOf(fromA, 'batchrouter_http_requests_total', { method: 'GET', route: '/healthz', status: '200' }) ?? 0).toBe(before)
    expect(valueOf(fromB, 'batchrouter_http_requests_total', { method: 'GET', route: '/healthz', status: '200' })).toBe(3)
    // b never saw a's requests, batches or provider calls.
    expect(valueOf(fromB, 'batchrouter_http_requests_total', { method: 'GET', route: '/v1/batches/:id', status: '404' })).toBeUndefined()
    expect(valueOf(fromB, 'batchrouter_provider_outcomes_total', { provider: 'openhost', kind: 'ok' })).toBeUndefined()
    expect(valueOf(fromB, 'batchrouter_batches', { status: 'completed' })).toBe(0)
  })
})

describe('GET /metrics with metrics.requireAdminKey', () => {
  let guarded: TestApp
  beforeAll(async () => {
    guarded = await startTestApp({ config: { metrics: { requireAdminKey: true } }, scheduler: false })
  })
  afterAll(() => guarded.close())

  it('answers 401 without a key, 403 forbidden with a customer key, 200 with an admin key', async () => {
    expect((await json(guarded.request('/metrics'))).body.error.code).toBe('unauthorized')
    const customer = await json(guarded.request('/metrics', { headers: guarded.newOrg().auth }))
    expect([customer.status, customer.body.error.code]).toEqual([403, 'forbidden'])
    const { samples } = await scrape(guarded, { authorization: `Bearer ${guarded.adminKey()}` })
    expect(valueOf(samples, 'batchrouter_http_requests_total', { method: 'GET', route: '/metrics', status: '403' })).toBe(1)
  })
})
