/**
 * Property-based fuzzing of every operation in the app's own OpenAPI document (issue 13): bodies
 * and query strings made from the schemas, mutated examples and hostile values (deep nesting,
 * numbers past a double, wrong types, odd unicode, NULs, empty and huge strings), sent one at a
 * time to a real server. Every answer: never a 5xx; every non-2xx the JSON envelope whose code,
 * type and status agree with the registry and whose request_id is the header's; every 4xx leaves
 * the stored world (rows, ledger, files on disk) exactly as it was.
 *
 * Seeded: FUZZ_SEED (default fixed, printed) and FUZZ_RUNS (default 5,000; `make fuzz` runs
 * 100,000 with a fresh seed). FUZZ_PROFILE=1 prints the slowest cases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { readdirSync } from 'node:fs'
import fc from 'fast-check'
import { FakeClock } from '../../src/lib/clock'
import { ERROR_CODES } from '../../src/lib/error-codes'
import { json, startTestApp, type TestApp } from '../helpers/test-app'
import { chatItem, driveToTerminal, newKey, postBatch, uploadJsonl, jsonl } from '../helpers/batch-helpers'
import { bodyFor, operationsOf, pathParamFor, queryFor, type FuzzOperation } from './openapi-arbitraries'

const SEED = Number(process.env.FUZZ_SEED ?? 20261302)
const RUNS = Number(process.env.FUZZ_RUNS ?? 5000)
/** Generous: a fuzz run is thousands of requests from one key. */
const TIMEOUT_MS = Math.max(120_000, RUNS * 60)

let app: TestApp
let ops: FuzzOperation[]
let customer: Record<string, string>
let admin: Record<string, string>
const ids: Record<string, string[]> = {}

beforeAll(async () => {
  const clock = new FakeClock()
  app = await startTestApp({ scheduler: false, clock, config: { demo: true, rateLimits: { perKey: 1e9, perOrg: 1e9 } } })
  const org = app.newOrg('1000')
  customer = org.auth
  admin = { authorization: `Bearer ${app.adminKey()}` }
  const done = await postBatch(app, customer, { items: [chatItem('a'), chatItem('b')] }, newKey('fuzz'))
  await driveToTerminal(app, clock, done.body.id)
  const pending = await postBatch(app, customer, { items: [chatItem('c')] }, newKey('fuzz'))
  const fileId = await uploadJsonl(app, customer, jsonl([chatItem('f')]))
  const sacrificial = await json(app.request('/v1/auth/account/api-keys', { method: 'POST', headers: customer }))
  const artifact = await json(app.request(`/v1/batches/${done.body.id}/artifact-url`, { headers: customer }))
  ids.batch = [done.body.id, pending.body.id]
  ids.file = [fileId]
  ids.key = [sacrificial.body.api_key_id]
  ids.org = [org.orgId]
  ids.model = ['gpt-4o-mini', 'text-embedding-3-small', 'meta-llama/Llama-3.1-8B-Instruct']
  ids.token = [new URL(artifact.body.url).pathname.split('/').pop()!]
  // /readyz answers 503 here by design (no scheduler runs in this test app): a state, not an input.
  ops = operationsOf((await json(app.request('/v1/openapi.json'))).body).filter((op) => op.path !== '/readyz')
})
afterAll(() => app.close())

const TABLES = ['orgs', 'api_keys', 'audit_log', 'batches', 'items', 'lanes', 'reservations', 'ledger_entries', 'idempotency_keys', 'quotes', 'files', 'provider_jobs', 'routing_decisions', 'webhook_events', 'webhook_deliveries']
/** One query for everything a refused request must not change: row counts, revocations, the ledger's sum, org webhook settings. */
const WORLD_SQL = `select ${TABLES.map((t) => `(select count(*) from ${t}) as ${t}`).join(', ')},
  (select count(revoked_at) from api_keys) as revoked_keys,
  (select total(amount) from ledger_entries) as ledger_sum,
  (select group_concat(id || '=' || coalesce(webhook_url, '') || coalesce(webhook_secret, '') || progress_events, ',') from orgs where webhook_url is not null or progress_events) as webhooks`

/** Everything a refused request must not change (SQL aggregates, so it stays cheap as the fuzz grows the database). */
function world() {
  return { ...(app.deps.db.$client.query(WORLD_SQL).get() as Record<string, unknown>), filesOnDisk: readdirSync(app.deps.paths.files).length, tmp: readdirSync(app.deps.paths.tmp).length }
}

function realIdsFor(op: FuzzOperation, param: string): string[] {
  if (param === 'token') return ids.token!
  if (op.path.startsWith('/v1/admin/orgs')) return ids.org!
  if (op.path.startsWith('/v1/files')) return ids.file!
  if (op.path.startsWith('/v1/auth/account/api-keys')) return ids.key!
  if (op.path.startsWith('/v1/models')) return ids.model!
  return ids.batch!
}

function authFor(op: FuzzOperation): Record<string, string> {
  const policy = app.routes.find((r) => r.template === op.path.replace(/\{(\w+)\}/g, ':$1') && r.method === op.method)
  if (policy?.auth === 'admin') return admin
  if (policy?.auth === 'customer') return customer
  return {}
}

interface Case {
  op: FuzzOperation
  params: string[]
  query: string
  body: string | undefined
  idempotencyKey: string | null
}

function caseArbitrary(): fc.Arbitrary<Case> {
  return fc.constantFrom(...ops).chain((op) =>
    fc.record({
      op: fc.constant(op),
      params: fc.tuple(...op.pathParams.map((p) => pathParamFor(realIdsFor(op, p)))),
      query: queryFor(op),
      body: bodyFor(op),
      idempotencyKey: fc.option(fc.oneof(fc.uuid(), fc.string({ maxLength: 200 }).filter((s) => /^[\x21-\x7e]*$/.test(s))), { freq: 3, nil: null }),
    }),
  )
}

const tally = new Map<string, number>()
const timings: [number, string][] = []

async function runCase(c: Case): Promise<void> {
  let path = c.op.path
  c.op.pathParams.forEach((name, i) => (path = path.replace(`{${name}}`, c.params[i]!)))
  const headers: Record<string, string> = { ...authFor(c.op) }
  if (c.op.method === 'GET') c.body = undefined // fetch sends no body with GET
  if (c.body !== undefined) headers['content-type'] = c.op.path === '/v1/files' ? 'application/jsonl' : 'application/json'
  if (c.idempotencyKey !== null) headers['idempotency-key'] = c.idempotencyKey
  const before = world()
  const t0 = performance.now()
  const res = await app.request(path + c.query, { method: c.op.method, headers, body: c.body })
  const text = await res.text()
  const where = `${c.op.method} ${path.slice(0, 200)}${c.query.slice(0, 200)} body=${(c.body ?? '').slice(0, 300)} (${(c.body ?? '').length} chars) → ${res.status} ${text.slice(0, 300)}`
  tally.set(`${res.status}`, (tally.get(`${res.status}`) ?? 0) + 1)
  if (process.env.FUZZ_PROFILE) timings.push([performance.now() - t0, `${c.op.method} ${c.op.path} ${res.status} ${(c.body ?? '').length}`])
  if (res.status >= 500) throw new Error(`5xx: ${where}`)
  if (res.headers.get('x-content-type-options') !== 'nosniff' || !res.headers.get('x-request-id')?.startsWith('req_')) throw new Error(`missing nosniff/x-request-id: ${where}`)
  if (res.status < 400) return
  let error: any
  try {
    error = JSON.parse(text).error
  } catch {
    throw new Error(`non-JSON error body: ${where}`)
  }
  const entry = ERROR_CODES[error?.code as keyof typeof ERROR_CODES]
  if (!entry || entry.status !== res.status || entry.type !== error.type || typeof error.message !== 'string' || error.message === '' || error.request_id !== res.headers.get('x-request-id') || !('param' in error)) {
    throw new Error(`not the envelope: ${where}`)
  }
  const after = world()
  if (JSON.stringify(after) !== JSON.stringify(before)) throw new Error(`a ${res.status} changed stored state ${JSON.stringify(before)} → ${JSON.stringify(after)}: ${where}`)
}

describe('fuzzing every OpenAPI operation (fast-check, seeded)', () => {
  it(`answers ${RUNS} hostile requests with no 5xx, always the envelope, nothing stored on a 4xx`, async () => {
    expect(ops.length).toBeGreaterThanOrEqual(35)
    const started = performance.now()
    console.log(`fuzz: seed ${SEED}, ${RUNS} cases over ${ops.length} operations (FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} to replay)`)
    const result = await fc.check(fc.asyncProperty(caseArbitrary(), runCase), { seed: SEED, numRuns: RUNS, endOnFailure: true })
    // fast-check's own report prints the whole counterexample (bodies of megabytes); ours is short.
    if (result.failed) throw new Error(`fuzz failed after ${result.numRuns} cases (FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}, path ${result.counterexamplePath}): ${String((result.errorInstance as Error)?.message ?? result.errorInstance).slice(0, 3000)}`)
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    if (process.env.FUZZ_PROFILE) console.log(timings.sort((a, b) => b[0] - a[0]).slice(0, 15).map(([ms, what]) => `${ms.toFixed(0)} ms ${what}`).join('\n'))
    const byStatus = [...tally.entries()].sort().map(([s, n]) => `${s}:${n}`).join(' ')
    const fivexx = [...tally.entries()].filter(([s]) => Number(s) >= 500).reduce((a, [, n]) => a + n, 0)
    console.log(`fuzz: ${RUNS} cases in ${seconds} s; 5xx ${fivexx}; by status ${byStatus}`)
    expect(fivexx).toBe(0)
    // The generators reach past validation into the services, not only the 400 door.
    expect((tally.get('200') ?? 0) + (tally.get('201') ?? 0) + (tally.get('202') ?? 0)).toBeGreaterThan(RUNS / 20)
  }, TIMEOUT_MS)
})
