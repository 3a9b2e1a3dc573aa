/**
 * deliver-webhooks with a fake clock: retries with growing gaps under one webhook-id, giving up
 * after 8 attempts, surviving a restart, and SSRF refusal at send time (stub DNS, no traffic
 * off loopback).
 */
import { afterEach, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eq } from 'drizzle-orm'
import { FakeClock } from '../../../src/lib/clock'
import { webhookEventsTable } from '../../../src/features/webhooks/table'
import { MAX_ATTEMPTS, WEBHOOK_LEASES } from '../../../src/features/webhooks/delivery'
import type { SafeFetchTransport } from '../../../src/lib/safe-fetch'
import { json, startTestApp, type TestApp } from '../../helpers/test-app'
import { attemptsOf, cancelAndFinalize, createBatch, eventsOf, LOOPBACK_WEBHOOKS, setOrgWebhook, startReceiver } from './helpers'
import { leaseRows } from '../../helpers/batch-helpers'

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const HOUR = 3600 * 1000
const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function appWith(opts: { clock: FakeClock; dataDir?: string; webhookTransport?: SafeFetchTransport }): Promise<TestApp> {
  const app = await startTestApp({ config: LOOPBACK_WEBHOOKS, scheduler: false, ...opts })
  cleanups.push(() => app.close())
  return app
}

function receiver(status: (n: number) => number) {
  const r = startReceiver(status)
  cleanups.push(r.stop)
  return r
}

/** A cancelled batch whose terminal event waits in the outbox; returns the batch and event ids. */
async function pendingEvent(app: TestApp, url: string) {
  const org = app.newOrg('5.00')
  const batchId = await createBatch(app, org.auth, { url, secret: SECRET })
  await cancelAndFinalize(app, org.auth, batchId)
  const [event] = eventsOf(app, batchId)
  return { batchId, eventId: event!.id, auth: org.auth }
}

const eventRow = (app: TestApp, id: string) => app.deps.db.select().from(webhookEventsTable).where(eq(webhookEventsTable.id, id)).get()!

/** Moves the clock to the event's next attempt and runs the job once. */
async function nextAttempt(app: TestApp, clock: FakeClock, eventId: string) {
  clock.set(Math.max(clock.now(), eventRow(app, eventId).nextAttemptAt))
  await app.runJob('deliver-webhooks')
}

describe('deliver-webhooks retries', () => {
  it('retries a receiver that answers 500 twice, then 200: three attempts, growing gaps, one webhook-id', async () => {
    const clock = new FakeClock()
    const app = await appWith({ clock })
    const r = receiver((n) => (n <= 2 ? 500 : 200))
    const { eventId } = await pendingEvent(app, r.url())
    await app.runJob('deliver-webhooks')
    expect(r.received).toHaveLength(1)
    const due = eventRow(app, eventId).nextAttemptAt
    clock.set(due - 1)
    await app.runJob('deliver-webhooks')
    expect(r.received).toHaveLength(1) // not before its time
    await nextAttempt(app, clock, eventId)
    await nextAttempt(app, clock, eventId)
    await nextAttempt(app, clock, eventId) // delivered: nothing more is sent
    expect(r.received).toHaveLength(3)
    const attempts = attemptsOf(app, eventId)
    expect(attempts.map((a) => a.statusCode)).toEqual([500, 500, 200])
    expect(attempts.map((a) => a.error)).toEqual(['receiver answered 500', 'receiver answered 500', null])
    const gap1 = attempts[1]!.at - attempts[0]!.at
    const gap2 = attempts[2]!.at - attempts[1]!.at
    expect(gap1).toBeGreaterThanOrEqual(10_000)
    expect(gap2).toBeGreaterThan(gap1)
    expect(new Set(r.received.map((x) => x.headers['webhook-id']))).toEqual(new Set([eventId]))
    expect(r.received.map((x) => Number(x.headers['webhook-timestamp']))).toEqual(attempts.map((a) => Math.floor(a.at / 1000)))
    expect(new Set(r.received.map((x) => x.body)).size).toBe(1) // the same bytes every time
    expect(eventRow(app, eventId)).toMatchObject({ state: 'delivered', attempts: 3, leaseId: null })
  })

  it(`gives up after ${MAX_ATTEMPTS} attempts over about a day and lists them`, async () => {
    const clock = new FakeClock()
    const app = await appWith({ clock })
    const r = receiver(() => 503)
    const { batchId, eventId, auth } = await pendingEvent(app, r.url())
    await app.runJob('deliver-webhooks')
    for (let i = 1; i < MAX_ATTEMPTS + 2; i++) await nextAttempt(app, clock, eventId)
    clock.advance(72 * HOUR)
    await app.runJob('deliver-webhooks')
    expect(r.received).toHaveLength(MAX_ATTEMPTS)
    const attempts = attemptsOf(app, eventId)
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    const gaps = attempts.slice(1).map((a, i) => a.at - attempts[i]!.at)
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]!).toBeGreaterThan(gaps[i - 1]!)
    const span = attempts.at(-1)!.at - attempts[0]!.at
    expect(span).toBeGreaterThan(15 * HOUR)
    expect(span).toBeLessThan(31 * HOUR)
    const list = await json(app.request(`/v1/batches/${batchId}/webhook-deliveries`, { headers: auth }))
    expect(list.status).toBe(200)
    expect(list.body.data).toHaveLength(1)
    expect(list.body.data[0]).toMatchObject({ id: eventId, state: 'failed', attempt_count: 8, next_attempt_at: null, delivered_at: null })
    expect(list.body.data[0].attempts.map((a: { status_code: number }) => a.status_code)).toEqual(Array(8).fill(503))
  })
})

describe('deliver-webhooks across a restart', () => {
  it('resumes after a restart between attempts and sends nothing twice after a success', async () => {
    const clock = new FakeClock()
    const dataDir = mkdtempSync(join(tmpdir(), 'br-webhook-restart-'))
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
    const r = receiver((n) => (n === 1 ? 503 : 200))
    const first = await startTestApp({ config: LOOPBACK_WEBHOOKS, scheduler: false, clock, dataDir })
    const { eventId } = await pendingEvent(first, r.url())
    await first.runJob('deliver-webhooks')
    await first.close()
    expect(r.received).toHaveLength(1)

    const second = await appWith({ clock, dataDir })
    await second.runJob('deliver-webhooks')
    expect(r.received).toHaveLength(1) // the backoff still holds after the restart
    await nextAttempt(second, clock, eventId)
    expect(r.received).toHaveLength(2)
    clock.advance(48 * HOUR)
    await second.runJob('deliver-webhooks')
    expect(r.received).toHaveLength(2)
    expect(r.received.map((x) => x.headers['webhook-id'])).toEqual([eventId, eventId])
    expect(eventRow(second, eventId)).toMatchObject({ state: 'delivered', attempts: 2 })
  })

  it('drops the lease of an attempt cut short by a crash, so the event goes out at start-up', async () => {
    const clock = new FakeClock()
    const dataDir = mkdtempSync(join(tmpdir(), 'br-webhook-crash-'))
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
    const r = receiver(() => 200)
    const first = await startTestApp({ config: LOOPBACK_WEBHOOKS, scheduler: false, clock, dataDir })
    const { eventId } = await pendingEvent(first, r.url())
    leaseRows(first, WEBHOOK_LEASES, [eventId], clock.now() + HOUR) // claimed, then the process died
    await first.close()
    const second = await appWith({ clock, dataDir })
    await second.runJob('deliver-webhooks')
    await second.runJob('deliver-webhooks')
    expect(r.received).toHaveLength(1)
    expect(eventRow(second, eventId).state).toBe('delivered')
  })
})

describe('deliver-webhooks SSRF refusal at send time', () => {
  it('records a refused attempt when DNS answers a private address, and opens no connection', async () => {
    const clock = new FakeClock()
    const fetched: string[] = []
    const transport: SafeFetchTransport = {
      resolve: async (host) => (host === 'hooks.example.com' ? ['10.0.0.7'] : []),
      fetch: async (url) => {
        fetched.push(url)
        return new Response(null, { status: 200 })
      },
    }
    const app = await appWith({ clock, webhookTransport: transport })
    const org = app.newOrg('5.00')
    await setOrgWebhook(app, org.auth, { url: 'https://hooks.example.com/in', secret: SECRET })
    const batchId = await createBatch(app, org.auth)
    await cancelAndFinalize(app, org.auth, batchId)
    const [event] = eventsOf(app, batchId)
    await app.runJob('deliver-webhooks')
    expect(fetched).toEqual([])
    const [attempt] = attemptsOf(app, event!.id)
    expect(attempt).toMatchObject({ attempt: 1, statusCode: null })
    expect(attempt!.error).toContain('unsafe_webhook_url')
    expect(attempt!.error).toContain('10.0.0.7')
    expect(eventRow(app, event!.id).state).toBe('pending')
  })
})
