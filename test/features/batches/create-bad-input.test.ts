/**
 * Refusals of POST /v1/batches and POST /v1/quotes/model as a scenario table. Every refusal must
 * answer the error envelope, list every problem (with line numbers where there are lines), and
 * leave nothing behind: no batch, item, lane, reservation, ledger, idempotency or quote row, no
 * new file (row or bytes) and an empty tmp/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { FakeClock } from '../../../src/lib/clock'
import { startTestApp, type TestApp } from '../../helpers/test-app'
import { chatItem, chatItems, embeddingItem, jsonl, newKey, postBatch, postQuote, storeTrace, uploadJsonl } from '../../helpers/batch-helpers'

type Auth = Record<string, string>
type Endpoint = 'batches' | 'quotes'
type Res = Awaited<ReturnType<typeof postBatch>>

interface Ctx {
  rich: Auth
  poor: Auth
  goodFile: string
  otherOrgFile: string
}

interface Scenario {
  name: string
  on: Endpoint[]
  /** Runs before the snapshot (may create what the request refers to). */
  setup?: (ctx: Ctx, endpoint: Endpoint) => Promise<Record<string, string>>
  request: (ctx: Ctx & Partial<Record<string, any>>, endpoint: Endpoint) => { body: unknown; key?: string | null; auth?: Auth }
  status: number
  code: string
  /** Extra checks of the error object. */
  check?: (error: any, endpoint: Endpoint) => void
}

const clock = new FakeClock()
let app: TestApp
let ctx: Ctx

beforeAll(async () => {
  app = await startTestApp({ clock, scheduler: false, config: { demo: true } })
  const rich = app.newOrg('10.00')
  const other = app.newOrg('10.00')
  ctx = {
    rich: rich.auth,
    poor: app.newOrg().auth,
    goodFile: await uploadJsonl(app, rich.auth, jsonl(chatItems(2))),
    otherOrgFile: await uploadJsonl(app, other.auth, jsonl(chatItems(2))),
  }
})
afterAll(() => app.close())

/** The problems listed in details.preflight as [line, code] pairs. */
const listed = (error: any) => (error.details.preflight as any[]).map((p) => [p.line, p.code])
const preflightCodes = (error: any) => (error.details.preflight as any[]).map((p) => p.code)
const file = (lines: unknown[]) => async (c: Ctx) => ({ fileId: await uploadJsonl(app, c.rich, jsonl(lines)) })

const SCENARIOS: Scenario[] = [
  {
    name: 'both items and input_file_id',
    on: ['batches', 'quotes'],
    request: (c) => ({ body: { items: chatItems(1), input_file_id: c.goodFile } }),
    status: 400,
    code: 'preflight_failed',
    check: (e) => expect(preflightCodes(e)).toEqual(['input_conflict']),
  },
  {
    name: 'neither items nor input_file_id',
    on: ['batches', 'quotes'],
    request: () => ({ body: { sla_tier: 'standard' } }),
    status: 400,
    code: 'preflight_failed',
    check: (e) => expect(preflightCodes(e)).toEqual(['input_conflict']),
  },
  {
    name: 'a body that is not JSON',
    on: ['batches', 'quotes'],
    request: () => ({ body: '{"items": [{"customer_item_id": ' }),
    status: 400,
    code: 'invalid_request',
  },
  {
    // Batch-purpose uploads are checked line by line at upload; a file uploaded for another
    // purpose skips that check, so create refuses it instead of running unchecked JSONL.
    name: 'a file uploaded with purpose user_data (its line 3 is not JSON)',
    on: ['batches', 'quotes'],
    setup: async (c) => ({ fileId: await uploadRawUnchecked(c.rich, jsonl([chatItem('a'), chatItem('b'), '{"customer_item_id": "c", oops}', chatItem('d')])) }),
    request: (c) => ({ body: { input_file_id: c.fileId } }),
    status: 400,
    code: 'preflight_failed',
    check: (e) => expect(listed(e)).toEqual([[null, 'invalid_file_purpose']]),
  },
  {
    name: 'an inline item 3 that is not an object',
    on: ['batches', 'quotes'],
    request: () => ({ body: { items: [chatItem('a'), chatItem('b'), 'not an item', chatItem('d')] } }),
    status: 400,
    code: 'preflight_failed',
    check: (e) => expect(listed(e)).toEqual([[3, 'invalid_json']]),
  },
  {
    name: 'a file with several bad lines (every one listed with its line number)',
    on: ['batches', 'quotes'],
    setup: file([
      chatItem('ok-1'),
      chatItem('bad-model', 'gpt-17-ultra'),
      chatItem('ok-2'),
      chatItem('streams', 'gpt-4o-mini', { stream: true }),
      chatItem('ok-1'),
      { customer_item_id: 'emb-on-chat', operation: 'embeddings', model: 'gpt-4o-mini', input: { input: 'x' } },
    ]),
    request: (c) => ({ body: { input_file_id: c.fileId } }),
    status: 400,
    code: 'preflight_failed',
    check: (e) => {
      expect(listed(e)).toEqual([[2, 'unknown_model'], [4, 'stream_not_supported'], [5, 'duplicate_customer_item_id'], [6, 'operation_unsupported']])
      expect(e.details.problem_count).toBe(4)
      expect(e.details.preflight[0].item).toBe('bad-model')
    },
  },
  {
    name: 'an unknown model',
    on: ['batches', 'quotes'],
    request: () => ({ body: { items: [chatItem('a'), chatItem('b', 'no-such-model')] } }),
    status: 400,
    code: 'preflight_failed',
    check: (e) => {
      expect(listed(e)).toEqual([[2, 'unknown_model']])
      expect(e.details.preflight[0]).toMatchObject({ item: 'b', param: 'model' })
    },
  },
  {
    name: 'an operation the model does not offer (embeddings on gpt-4o-mini)',
    on: ['batches', 'quotes'],
    request: () => ({ body: { items: [embeddingItem('e', 'gpt-4o-mini')] } }),
    status: 400,
    code: 'preflight_failed',
    check: (e) => expect(listed(e)).toEqual([[1, 'operation_unsupported']]),
  },
  {
    name: 'a duplicate customer_item_id',
    on: ['batches', 'quotes'],
    request: () => ({ body: { items: [chatItem('same'), chatItem('other'), chatItem('same')] } }),
    status: 400,
    code: 'preflight_failed',
    check: (e) => expect(e.details.preflight).toMatchObject([{ line: 3, item: 'same', code: 'duplicate_customer_item_id' }]),
  },
  {
    name: 'an input larger than the context window',
    on: ['batches', 'quotes'],
    request: () => ({ body: { items: [{ customer_item_id: 'huge', operation: 'embeddings', model: 'text-embedding-3-small', input: { input: 'lorem ipsum dolor sit amet '.repeat(3000) } }] } }),
    status: 400,
    code: 'preflight_failed',
    check: (e) => expect(listed(e)).toEqual([[1, 'context_window_exceeded']]),
  },
  {
    name: 'a max_tokens above what the model can produce',
    on: ['batches', 'quotes'],
    request: () => ({ body: { items: [chatItem('greedy', 'gpt-4o-mini', { max_tokens: 10_000_000 })] } }),
    status: 400,
    code: 'preflight_failed',
    check: (e) => expect(e.details.preflight).toMatchObject([{ line: 1, code: 'invalid_item', param: 'input.max_tokens' }]),
  },
  {
    name: 'stream: true',
    on: ['batches', 'quotes'],
    request: () => ({ body: { items: [chatItem('s', 'gpt-4o-mini', { stream: true })] } }),
    status: 400,
    code: 'preflight_failed',
    check: (e) => expect(listed(e)).toEqual([[1, 'stream_not_supported']]),
  },
  {
    name: 'an unknown input_file_id',
    on: ['batches', 'quotes'],
    request: () => ({ body: { input_file_id: 'file_doesnotexist000000000000' } }),
    status: 400,
    code: 'preflight_failed',
    check: (e) => expect(e.details.preflight).toMatchObject([{ code: 'unknown_file', param: 'input_file_id' }]),
  },
  {
    name: "another org's input_file_id",
    on: ['batches', 'quotes'],
    request: (c) => ({ body: { input_file_id: c.otherOrgFile } }),
    status: 400,
    code: 'preflight_failed',
    check: (e) => expect(e.details.preflight).toMatchObject([{ code: 'unknown_file', param: 'input_file_id' }]),
  },
  {
    name: "an input_image naming another org's file",
    on: ['batches', 'quotes'],
    request: (c) => ({ body: { items: [{ customer_item_id: 'v', operation: 'vision', model: 'gpt-4o-mini', input: { messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'input_image', file_id: c.otherOrgFile }] }] } }] } }),
    status: 400,
    code: 'preflight_failed',
    check: (e) => expect(e.details.preflight).toMatchObject([{ line: 1, item: 'v', code: 'unknown_file' }]),
  },
  {
    name: 'more than 5000 inline items',
    on: ['batches'],
    request: () => ({ body: { items: chatItems(5001) } }),
    status: 400,
    code: 'preflight_failed',
    check: (e) => expect(preflightCodes(e)).toEqual(['too_many_items']),
  },
  {
    name: 'more than 5000 inline items',
    on: ['quotes'],
    request: () => ({ body: { items: chatItems(5001) } }),
    status: 400,
    code: 'validation_failed',
    check: (e) => expect(e.param).toBe('items'),
  },
  {
    name: 'an unknown quote_id',
    on: ['batches'],
    request: () => ({ body: { items: chatItems(2), quote_id: 'qlock_nosuchquote00000000000' } }),
    status: 400,
    code: 'preflight_failed',
    check: (e) => expect(e.details.preflight).toMatchObject([{ code: 'unknown_quote', param: 'quote_id' }]),
  },
  {
    name: 'an expired quote (11 minutes later)',
    on: ['batches'],
    setup: async (c) => {
      const quote = await postQuote(app, c.rich, { items: chatItems(2) })
      expect(quote.status).toBe(200)
      clock.advance(11 * 60 * 1000)
      return { quoteId: quote.body.quote_id }
    },
    request: (c) => ({ body: { items: chatItems(2), quote_id: c.quoteId } }),
    status: 409,
    code: 'quote_expired',
    check: (e) => expect(e.param).toBe('quote_id'),
  },
  {
    name: 'routing parameters that differ from the quote (flex quoted, priority sent)',
    on: ['batches'],
    setup: async (c) => {
      const quote = await postQuote(app, c.rich, { items: chatItems(2, 'claude-haiku-4-5'), sla_tier: 'flex' })
      expect(quote.status).toBe(200)
      return { quoteId: quote.body.quote_id }
    },
    request: (c) => ({ body: { items: chatItems(2, 'claude-haiku-4-5'), quote_id: c.quoteId, sla_tier: 'priority' } }),
    status: 400,
    code: 'quote_mismatch',
    check: (e) => expect(e.details.differing).toEqual(['sla_tier']),
  },
  {
    name: 'an unsafe webhook URL',
    on: ['batches'],
    request: () => ({ body: { items: chatItems(1), webhook: { url: 'http://127.0.0.1/hook', secret: 'whsec_12345678' } } }),
    status: 400,
    code: 'preflight_failed',
    check: (e) => expect(e.details.preflight).toMatchObject([{ code: 'unsafe_webhook_url', param: 'webhook.url' }]),
  },
  {
    name: 'no Idempotency-Key',
    on: ['batches'],
    request: () => ({ body: { items: chatItems(1) }, key: null }),
    status: 400,
    code: 'invalid_idempotency_key',
    check: (e) => expect(e.param).toBe('Idempotency-Key'),
  },
  {
    name: 'an Idempotency-Key shorter than 8 characters',
    on: ['batches'],
    request: () => ({ body: { items: chatItems(1) }, key: 'short' }),
    status: 400,
    code: 'invalid_idempotency_key',
  },
  {
    name: 'an Idempotency-Key reused with a different body',
    on: ['batches'],
    setup: async (c) => {
      const key = newKey('reused')
      const first = await postBatch(app, c.rich, { items: chatItems(1) }, key)
      expect(first.status).toBe(202)
      return { key }
    },
    request: (c) => ({ body: { items: chatItems(2) }, key: c.key }),
    status: 409,
    code: 'idempotency_key_reused',
  },
  {
    name: 'too little credit for the reservation',
    on: ['batches'],
    request: (c) => ({ body: { items: chatItems(3) }, auth: c.poor }),
    status: 402,
    code: 'insufficient_credits',
    check: (e) => {
      expect(e.details.available).toBe('0.000000')
      expect(Number(e.details.shortfall)).toBeGreaterThan(0)
    },
  },
  {
    name: "an OpenAI-shape create whose lines' url differs from endpoint",
    on: ['batches'],
    setup: file([
      { custom_id: 'r1', method: 'POST', url: '/v1/embeddings', body: { model: 'text-embedding-3-small', input: 'one' } },
      { custom_id: 'r2', method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'two' }] } },
      { custom_id: 'r3', method: 'POST', url: '/v1/embeddings', body: { model: 'text-embedding-3-small', input: 'three' } },
    ]),
    request: (c) => ({ body: { input_file_id: c.fileId, endpoint: '/v1/chat/completions', completion_window: '24h' }, key: null }),
    status: 400,
    code: 'preflight_failed',
    check: (e) => expect(listed(e)).toEqual([[1, 'endpoint_mismatch'], [3, 'endpoint_mismatch']]),
  },
]

/** Raw upload without the JSONL check failing the test (the upload check may accept or refuse). */
async function uploadRawUnchecked(auth: Auth, text: string): Promise<string> {
  const res = await app.request('/v1/files', { method: 'POST', headers: { ...auth, 'content-type': 'text/plain', 'x-batchrouter-purpose': 'user_data' }, body: text })
  expect(res.status).toBe(200)
  return ((await res.json()) as { id: string }).id
}

async function send(endpoint: Endpoint, req: ReturnType<Scenario['request']>, auth: Auth): Promise<Res> {
  if (endpoint === 'quotes') return postQuote(app, auth, req.body)
  return postBatch(app, auth, req.body, req.key === null ? undefined : (req.key ?? newKey('bad')))
}

for (const endpoint of ['batches', 'quotes'] as const) {
  describe(endpoint === 'batches' ? 'POST /v1/batches refusals' : 'POST /v1/quotes/model refusals', () => {
    for (const s of SCENARIOS.filter((x) => x.on.includes(endpoint))) {
      it(`answers ${s.status} ${s.code} for ${s.name}, leaving nothing behind`, async () => {
        const extra = s.setup ? await s.setup(ctx, endpoint) : {}
        const req = s.request({ ...ctx, ...extra }, endpoint)
        const before = storeTrace(app)
        expect(before.tmp).toBe(0)
        const res = await send(endpoint, req, req.auth ?? ctx.rich)
        expect(res.status).toBe(s.status)
        const error = res.body.error
        expect(error.code).toBe(s.code)
        expect(error.type).toBe('invalid_request_error')
        expect(typeof error.message).toBe('string')
        expect(error.message.length).toBeGreaterThan(10)
        expect(error.request_id).toMatch(/^req_/)
        expect(res.headers.get('x-request-id')).toBe(error.request_id)
        if (s.status === 402 || s.status === 409) expect(res.headers.get('x-should-retry')).toBe('false')
        if (s.code === 'preflight_failed') {
          expect(Array.isArray(error.details.preflight)).toBe(true)
          expect(error.details.preflight.length).toBeGreaterThan(0)
          for (const p of error.details.preflight) expect(typeof p.message).toBe('string')
        }
        s.check?.(error, endpoint)
        expect(storeTrace(app)).toEqual(before)
      })
    }
  })
}
