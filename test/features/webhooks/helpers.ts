/**
 * Helpers for webhook tests: a loopback receiver that records every request and answers with a
 * scripted status, batch shortcuts that end a batch in a chosen terminal state by driving jobs by
 * hand, and reads of the outbox tables.
 */
import { asc, eq } from 'drizzle-orm'
import { webhookDeliveriesTable, webhookEventsTable } from '../../../src/features/webhooks/table'
import { batchesTable } from '../../../src/features/batches/table'
import { itemsTable } from '../../../src/features/items/table'
import { writeTx } from '../../../src/db/tx'
import { isTerminal } from '../../../src/features/batches/state'
import { json, type TestApp } from '../../helpers/test-app'
import { batchRow, chatItems, newKey, postBatch } from '../../helpers/batch-helpers'

type Auth = Record<string, string>

/** Config that lets webhooks reach the loopback receiver over plain http (operator allowlist). */
export const LOOPBACK_WEBHOOKS = { webhooks: { allowHosts: ['127.0.0.1'], allowHttp: true }, demo: true }

export interface Received {
  path: string
  headers: Record<string, string>
  body: string
}

/** A receiver on 127.0.0.1; `status(n)` answers the n-th request (1-based). */
export function startReceiver(status: (n: number) => number = () => 200) {
  const received: Received[] = []
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(req) {
      const body = await req.text()
      received.push({ path: new URL(req.url).pathname, headers: Object.fromEntries(req.headers.entries()), body })
      return new Response(null, { status: status(received.length) })
    },
  })
  return {
    received,
    url: (path = '/hook') => `http://127.0.0.1:${server.port}${path}`,
    stop: () => server.stop(true),
  }
}

/**
 * A model served by a request-style (openai-compatible) lane in demo mode, so `runToCompletion`
 * finishes a batch with the route → dispatch → finalize jobs alone.
 */
export const REQUEST_STYLE_MODEL = 'llama-3.1-8b-instruct'

/** Creates a small batch (202 asserted), with a per-batch webhook when given. */
export async function createBatch(app: TestApp, auth: Auth, webhook?: { url: string; secret: string }, items = 2): Promise<string> {
  const res = await postBatch(app, auth, { items: chatItems(items, REQUEST_STYLE_MODEL), ...(webhook ? { webhook } : {}) }, newKey('wh'))
  if (res.status !== 202) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body.id as string
}

/** PUT the org default webhook (200 asserted). */
export async function setOrgWebhook(app: TestApp, auth: Auth, body: { url: string; secret: string; progress_events?: boolean }): Promise<void> {
  const res = await json(app.request('/v1/auth/account/delivery-webhook', { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) }))
  if (res.status !== 200) throw new Error(`delivery-webhook refused: ${res.status} ${JSON.stringify(res.body)}`)
}

/** Cancels a batch and runs finalize: it ends `cancelled` and its event is in the outbox. */
export async function cancelAndFinalize(app: TestApp, auth: Auth, batchId: string): Promise<void> {
  const res = await app.request(`/v1/batches/${batchId}/cancel`, { method: 'POST', headers: auth })
  if (res.status !== 200) throw new Error(`cancel failed: ${res.status}`)
  await app.runJob('finalize-batches')
  if (batchRow(app, batchId)?.status !== 'cancelled') throw new Error(`batch ${batchId} is ${batchRow(app, batchId)?.status}`)
}

/** Runs the batch through route → dispatch → finalize at the app's clock until it is terminal. */
export async function runToCompletion(app: TestApp, batchId: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await app.runJob('route-batches')
    await app.runJob('dispatch-items')
    await app.settleDispatch()
    await app.runJob('finalize-batches')
    if (isTerminal(batchRow(app, batchId)?.status ?? '')) return
  }
  const items = app.deps.db.select().from(itemsTable).where(eq(itemsTable.batchId, batchId)).all().map((i) => `${i.status}@${i.offeringId}`)
  throw new Error(`batch ${batchId} is still ${batchRow(app, batchId)?.status}; items: ${items.join(', ')}`)
}

/** Ends a batch `failed`, as a batch that could not run at all would (no code path sets it yet). */
export async function failAndFinalize(app: TestApp, batchId: string): Promise<void> {
  const now = app.deps.clock.now()
  writeTx(app.deps.db, () => {
    app.deps.db.update(batchesTable).set({ endIntent: 'failed' }).where(eq(batchesTable.id, batchId)).run()
    app.deps.db.update(itemsTable).set({ status: 'failed', errorCode: 'no_eligible_lane', errorMessage: 'Nothing could run.', completedAt: now }).where(eq(itemsTable.batchId, batchId)).run()
  })
  await app.runJob('finalize-batches')
}

export function eventsOf(app: TestApp, batchId: string) {
  return app.deps.db.select().from(webhookEventsTable).where(eq(webhookEventsTable.batchId, batchId)).orderBy(asc(webhookEventsTable.createdAt)).all()
}

export function attemptsOf(app: TestApp, eventId: string) {
  return app.deps.db.select().from(webhookDeliveriesTable).where(eq(webhookDeliveriesTable.eventId, eventId)).orderBy(asc(webhookDeliveriesTable.attempt)).all()
}
