/**
 * Two SDK habits against a real demo server: cancelling a running batch (cancelling →
 * cancelled, partial output, batch_cancelled lines in the error file), and the SDK's automatic
 * retry of a create after a 503 — which must never make a second batch. The 503 comes from a
 * loopback proxy between the SDK and the server, so the server has no test-only code path.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import OpenAI, { toFile, type APIError } from 'openai'
import { chatLine, pollUntilDone, readJsonlFile, startCompatServer, startFaultProxy, toJsonl, type CompatServer } from './helpers'
import { waitFor } from '../helpers/process'

/** SDK flows against a real server take seconds; `bun test` alone would allow 5. */
const SLOW_MS = 30_000

let srv: CompatServer

beforeAll(async () => {
  srv = await startCompatServer()
}, SLOW_MS)
afterAll(() => srv.stop())

describe('cancel mid-run through the SDK', () => {
  it('answers cancelling, ends cancelled with the finished items in the output file and batch_cancelled lines in the error file', async () => {
    const { client } = await srv.newClient()
    // Slow provider batches: lines finish one by one over ~8 s, so the batch is mid-run when cancelled.
    await srv.scenario({ global: { turnaround_s: 10 } })
    // Lines the simulator has run so far (its own count): the router's polls run them as their time comes.
    const linesRun = async () => Object.values(((await (await fetch(`${srv.url}/_sim/stats`)).json()) as { by_custom_id: Record<string, number> }).by_custom_id).reduce((a, n) => a + n, 0)
    try {
      const before = await linesRun()
      const ids = Array.from({ length: 20 }, (_, i) => `cancel-${i}`)
      const lines = ids.map((id, i) => chatLine(id, i % 2 === 0 ? 'gpt-4o-mini' : 'claude-haiku-4-5'))
      const file = await client.files.create({ file: await toFile(Buffer.from(toJsonl(lines)), 'cancel.jsonl'), purpose: 'batch' })
      const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' })
      let running = await client.batches.retrieve(created.id)
      for (let i = 0; running.status !== 'in_progress' && i < 100; i++) {
        await Bun.sleep(50)
        running = await client.batches.retrieve(created.id)
      }
      expect(running.status).toBe('in_progress')
      // The input of a running batch cannot be deleted: 409, which the SDK does not retry.
      const inUse = await client.files.delete(file.id).catch((e: unknown) => e)
      expect(inUse).toBeInstanceOf(OpenAI.ConflictError)
      expect((inUse as APIError).message).toContain(created.id)
      expect((inUse as APIError).headers?.get('x-should-retry')).toBe('false')
      // Mid-run: wait for the event itself — some of the 20 lines have run upstream — not a guessed duration.
      await waitFor('a few lines to run upstream', async () => (await linesRun()) - before >= 4, { timeoutMs: 20_000, everyMs: 50 })

      const cancelling = await client.batches.cancel(created.id)
      expect(cancelling.status).toBe('cancelling')
      expect(cancelling.cancelling_at).toBeGreaterThanOrEqual(cancelling.created_at)
      expect(cancelling.cancelled_at).toBeNull()

      const { batch, seen } = await pollUntilDone(client, created.id, { everyMs: 50 })
      expect(batch.status).toBe('cancelled')
      expect(seen.every((s) => s === 'cancelling' || s === 'cancelled')).toBe(true)
      expect(batch.cancelled_at).toBeGreaterThanOrEqual(batch.cancelling_at!)
      expect(batch.completed_at).toBeNull()
      const { completed, failed, total } = batch.request_counts!
      expect(total).toBe(20)
      expect(completed).toBeGreaterThan(0)
      expect(failed).toBeGreaterThan(0)
      expect(completed + failed).toBe(20)

      const output = await readJsonlFile(client, batch.output_file_id!)
      const errors = await readJsonlFile(client, batch.error_file_id!)
      expect(output).toHaveLength(completed)
      expect(errors).toHaveLength(failed)
      expect([...output, ...errors].map((l) => l.custom_id).sort()).toEqual([...ids].sort())
      for (const line of output) expect(line.response!.body.object).toBe('chat.completion')
      for (const line of errors) {
        expect(line.response).toBeNull()
        expect(line.error!.code).toBe('batch_cancelled')
        expect(line.error!.message.length).toBeGreaterThan(0)
      }
      // Terminal now: a second cancel is a 409 the SDK does not retry.
      const again = await client.batches.cancel(created.id).catch((e: unknown) => e)
      expect(again).toBeInstanceOf(OpenAI.ConflictError)
      expect((again as APIError).headers?.get('x-should-retry')).toBe('false')
      expect(await client.files.delete(file.id)).toMatchObject({ id: file.id, deleted: true })
    } finally {
      await srv.scenario({})
    }
  }, SLOW_MS)
})

describe('an SDK create retried after a 503', () => {
  const createOnce = async (proxyUrl: string, key: string) => {
    const client = new OpenAI({ apiKey: key, baseURL: `${proxyUrl}/v1`, maxRetries: 2 })
    const file = await client.files.create({ file: await toFile(Buffer.from(toJsonl([chatLine('r-1'), chatLine('r-2')])), 'retry.jsonl'), purpose: 'batch' })
    return { client, file }
  }
  const unavailable = () =>
    new Response(JSON.stringify({ error: { message: 'Injected: the service is briefly unavailable.', type: 'api_error', param: null, code: 'not_ready' } }), { status: 503, headers: { 'content-type': 'application/json', 'retry-after': '0' } })

  it('the first attempt created the batch but its answer was lost: the retry returns the same batch, one batch exists', async () => {
    const { key } = await srv.newClient()
    let firstCreate: { id: string } | null = null
    // Forward the first POST /v1/batches, keep the server's answer, and tell the SDK 503.
    const proxy = startFaultProxy(srv.url, async (req, forward) => {
      if (req.method !== 'POST' || new URL(req.url).pathname !== '/v1/batches' || firstCreate !== null) return undefined
      firstCreate = (await (await forward(req)).json()) as { id: string }
      return unavailable()
    })
    try {
      const { client, file } = await createOnce(proxy.url, key)
      const batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' })
      expect(firstCreate).not.toBeNull()
      expect(batch.id).toBe(firstCreate!.id)
      const creates = proxy.seen.filter((r) => r.method === 'POST' && r.path === '/v1/batches')
      expect(creates.map((r) => r.headers['x-stainless-retry-count'])).toEqual(['0', '1'])
      expect(creates.every((r) => r.headers['idempotency-key'] === undefined)).toBe(true)
      const all: string[] = []
      for await (const b of client.batches.list()) all.push(b.id)
      expect(all).toEqual([batch.id])
    } finally {
      proxy.stop()
    }
  }, SLOW_MS)

  it('the first attempt never reached the server: the retry creates exactly one batch', async () => {
    const { key } = await srv.newClient()
    let refused = 0
    const proxy = startFaultProxy(srv.url, (req) => {
      if (req.method === 'POST' && new URL(req.url).pathname === '/v1/batches' && refused === 0) {
        refused++
        return unavailable()
      }
      return undefined
    })
    try {
      const { client, file } = await createOnce(proxy.url, key)
      const batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' })
      const creates = proxy.seen.filter((r) => r.method === 'POST' && r.path === '/v1/batches')
      expect(creates.map((r) => r.headers['x-stainless-retry-count'])).toEqual(['0', '1'])
      const all: string[] = []
      for await (const b of client.batches.list()) all.push(b.id)
      expect(all).toEqual([batch.id])
      expect((await pollUntilDone(client, batch.id)).batch.status).toBe('completed')
    } finally {
      proxy.stop()
    }
  }, SLOW_MS)
})
