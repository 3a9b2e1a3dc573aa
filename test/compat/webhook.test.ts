/**
 * The batch completion webhook, received from a real demo server and verified with the `openai`
 * SDK's `client.webhooks.unwrap()` (Standard Webhooks headers), for a batch the SDK created.
 * OpenAI-shape creates carry no webhook of their own, so the org default webhook is used.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import OpenAI, { toFile } from 'openai'
import { chatLine, pollUntilDone, startCompatServer, toJsonl, type CompatServer } from './helpers'
import { waitFor } from '../helpers/process'

/** SDK flows against a real server take seconds; `bun test` alone would allow 5. */
const SLOW_MS = 30_000

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'

let srv: CompatServer
const received: { headers: Record<string, string>; body: string }[] = []
const receiver = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  async fetch(req) {
    received.push({ headers: Object.fromEntries(req.headers.entries()), body: await req.text() })
    return new Response(null, { status: 204 })
  },
})

beforeAll(async () => {
  // The operator lets webhooks reach this loopback receiver over plain http.
  srv = await startCompatServer({ webhooks: { allowHosts: ['127.0.0.1'], allowHttp: true } })
}, SLOW_MS)
afterAll(async () => {
  await srv.stop()
  receiver.stop(true)
})

describe('batch webhooks through the SDK', () => {
  it('batch.completed verifies with client.webhooks.unwrap() and names the batch; a tampered body does not', async () => {
    const { client, key } = await srv.newClient()
    const put = await fetch(`${srv.url}/v1/auth/account/delivery-webhook`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: `http://127.0.0.1:${receiver.port}/hooks/batches`, secret: SECRET }),
    })
    expect(put.status).toBe(200)

    const file = await client.files.create({ file: await toFile(Buffer.from(toJsonl([chatLine('w-1'), chatLine('w-2')])), 'hooked.jsonl'), purpose: 'batch' })
    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' })
    const { batch } = await pollUntilDone(client, created.id)
    expect(batch.status).toBe('completed')

    const delivery = await waitFor('the webhook delivery', () => received.find((r) => r.body.includes(created.id)), { timeoutMs: 20_000 })
    const event = await client.webhooks.unwrap(delivery.body, delivery.headers, SECRET)
    if (event.type !== 'batch.completed') throw new Error(`unexpected event ${event.type}`)
    expect(event.object).toBe('event')
    expect(event.id).toMatch(/^evt_/)
    expect(event.data.id).toBe(created.id)
    expect(event.created_at).toBeGreaterThanOrEqual(batch.created_at)
    const data = (event as unknown as { data: Record<string, unknown> }).data
    expect(data).toMatchObject({ batch_id: created.id, openai_status: 'completed', output_file_id: batch.output_file_id, error_file_id: null, request_counts: { total: 2, completed: 2, failed: 0 } })

    const tampered = await client.webhooks.unwrap(delivery.body.replace('completed', 'cancelled'), delivery.headers, SECRET).catch((e: unknown) => e)
    expect(tampered).toBeInstanceOf(OpenAI.InvalidWebhookSignatureError)
  }, SLOW_MS)
})
