/**
 * Errors as the `openai` SDK sees them. Against a real demo server: bad batch inputs (url
 * mismatch, duplicate custom_id, unknown model, non-JSONL input, another org's file), a bad key,
 * an operator route, too little credit — each raising the SDK's matching error class with the
 * envelope fields it parses and a message that says what to fix. Then, for every code of the
 * error registry, the status class the SDK maps it to and whether it retries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import OpenAI, { toFile } from 'openai'
import { AppError, errorResponse } from '../../src/lib/errors'
import { ERROR_CODES, type ErrorCode } from '../../src/lib/error-codes'
import { chatLine, embeddingLine, rejection, startCompatServer, startFaultProxy, toJsonl, type CompatServer } from './helpers'

/** SDK flows against a real server take seconds; `bun test` alone would allow 5. */
const SLOW_MS = 20_000

let srv: CompatServer
let client: OpenAI
let other: OpenAI

beforeAll(async () => {
  // Starting credit that covers no chat line at all, so a create that passes preflight is a 402.
  srv = await startCompatServer({ startingCredit: '0.000001' })
  ;({ client } = await srv.newClient({ maxRetries: 0 }))
  ;({ client: other } = await srv.newClient({ maxRetries: 0 }))
}, SLOW_MS)
afterAll(() => srv.stop())

const upload = async (c: OpenAI, text: string, name = 'input.jsonl', purpose: 'batch' | 'user_data' = 'batch') => c.files.create({ file: await toFile(Buffer.from(text), name), purpose })
const createFrom = (c: OpenAI, fileId: string, endpoint: '/v1/chat/completions' | '/v1/embeddings' | '/v1/responses' = '/v1/chat/completions') => c.batches.create({ input_file_id: fileId, endpoint, completion_window: '24h' })

/** The envelope the SDK parsed: `error.error` is the body's `error`, code/param/type copied onto the error. */
/** Any SDK error class (toBeInstanceOf takes the constructor). */
type ErrorClass = abstract new (...args: never[]) => Error

function expectEnvelope(err: any, cls: ErrorClass, code: string) {
  expect(err).toBeInstanceOf(cls)
  expect(err.code).toBe(code)
  expect(err.error).toMatchObject({ code, message: expect.any(String), type: expect.any(String) })
  expect(err.requestID).toMatch(/^req_/)
  expect(err.error.request_id).toBe(err.requestID)
}

describe('bad batch inputs through the SDK', () => {
  it('a line whose url differs from endpoint → BadRequestError naming the line and both urls', async () => {
    const file = await upload(client, toJsonl([chatLine('a'), embeddingLine('b')]))
    const err = await rejection(createFrom(client, file.id))
    expectEnvelope(err, OpenAI.BadRequestError, 'preflight_failed')
    expect(err.type).toBe('invalid_request_error')
    expect(err.param).toBe('url')
    expect(err.message).toContain('/v1/embeddings')
    expect(err.message).toContain('/v1/chat/completions')
    expect(err.error.details.preflight).toEqual([expect.objectContaining({ line: 2, item: 'b', code: 'endpoint_mismatch' })])
  }, SLOW_MS)

  it('a duplicate custom_id → BadRequestError naming the id and both lines', async () => {
    const file = await upload(client, toJsonl([chatLine('same'), chatLine('other'), chatLine('same')]))
    const err = await rejection(createFrom(client, file.id))
    expectEnvelope(err, OpenAI.BadRequestError, 'preflight_failed')
    expect(err.param).toBe('custom_id')
    expect(err.message).toContain("'same'")
    expect(err.message).toContain('line 1')
    expect(err.error.details.preflight).toEqual([expect.objectContaining({ line: 3, code: 'duplicate_customer_item_id' })])
  }, SLOW_MS)

  it('an unknown model → BadRequestError naming the model and models that exist', async () => {
    const file = await upload(client, toJsonl([chatLine('m', 'gpt-5-imaginary')]))
    const err = await rejection(createFrom(client, file.id))
    expectEnvelope(err, OpenAI.BadRequestError, 'preflight_failed')
    expect(err.param).toBe('body.model')
    expect(err.message).toContain("'gpt-5-imaginary'")
    expect(err.message).toContain('gpt-4o-mini')
    expect(err.error.details.preflight[0]).toMatchObject({ line: 1, code: 'unknown_model' })
  }, SLOW_MS)

  it('every problem of a file is listed at once, with line numbers', async () => {
    const file = await upload(client, toJsonl([chatLine('x', 'nope-1'), chatLine('x'), embeddingLine('y')]))
    const err = await rejection(createFrom(client, file.id))
    expectEnvelope(err, OpenAI.BadRequestError, 'preflight_failed')
    expect(err.error.details.preflight.map((p: { line: number; code: string }) => `${p.line}:${p.code}`).sort()).toEqual(['1:unknown_model', '2:duplicate_customer_item_id', '3:endpoint_mismatch'])
  }, SLOW_MS)

  it('a non-JSONL batch input → BadRequestError: at upload (naming the line) or at create (not JSON lines)', async () => {
    const atUpload = await rejection(upload(client, '{"custom_id":"a"}\nthis is not json\n'))
    expectEnvelope(atUpload, OpenAI.BadRequestError, 'invalid_request')
    expect(atUpload.message).toContain('2')
    expect(atUpload.error.details).toMatchObject({ line: 2 })

    const text = await upload(client, 'Dear team,\nplease summarise the attached.\n', 'notes.txt', 'user_data')
    const atCreate = await rejection(createFrom(client, text.id))
    expectEnvelope(atCreate, OpenAI.BadRequestError, 'preflight_failed')
    expect(atCreate.message).toContain("purpose 'user_data'")
    expect(atCreate.error.details.preflight[0]).toMatchObject({ code: 'invalid_file_purpose', param: 'input_file_id' })
  }, SLOW_MS)

  it("another org's file → BadRequestError at create (unknown file) and NotFoundError when read", async () => {
    const theirs = await upload(other, toJsonl([chatLine('t')]))
    const err = await rejection(createFrom(client, theirs.id))
    expectEnvelope(err, OpenAI.BadRequestError, 'preflight_failed')
    expect(err.param).toBe('input_file_id')
    expect(err.message).toContain(theirs.id)
    expect(err.error.details.preflight[0]).toMatchObject({ code: 'unknown_file' })
    for (const read of [client.files.retrieve(theirs.id), client.files.content(theirs.id), client.files.delete(theirs.id)]) {
      const notFound = await rejection(read)
      expectEnvelope(notFound, OpenAI.NotFoundError, 'not_found')
      expect(notFound.message).toContain(theirs.id)
    }
  }, SLOW_MS)

  it('an endpoint the router does not run → BadRequestError listing the supported ones', async () => {
    const file = await upload(client, toJsonl([chatLine('e')]))
    const err = await rejection(client.batches.create({ input_file_id: file.id, endpoint: '/v1/completions', completion_window: '24h' }))
    expectEnvelope(err, OpenAI.BadRequestError, 'preflight_failed')
    expect(err.param).toBe('endpoint')
    expect(err.message).toContain('/v1/responses')
  }, SLOW_MS)

  it('an unknown batch → NotFoundError; a bad key → AuthenticationError; an operator route → PermissionDeniedError', async () => {
    const missing = await rejection(client.batches.retrieve('bat_doesnotexist0000000000'))
    expectEnvelope(missing, OpenAI.NotFoundError, 'not_found')
    const badKey = new OpenAI({ apiKey: 'br_live_not-a-real-key-000000000000000', baseURL: `${srv.url}/v1`, maxRetries: 0 })
    const unauthorized = await rejection(badKey.batches.list())
    expectEnvelope(unauthorized, OpenAI.AuthenticationError, 'unauthorized')
    expect(unauthorized.type).toBe('authentication_error')
    const forbidden = await rejection(client.get('/admin/orgs'))
    expectEnvelope(forbidden, OpenAI.PermissionDeniedError, 'forbidden')
    expect(forbidden.message).toContain('admin key')
  }, SLOW_MS)

  it('too little credit → a 402 APIError the SDK does not retry (x-should-retry: false)', async () => {
    const proxy = startFaultProxy(srv.url)
    try {
      const retrying = new OpenAI({ apiKey: client.apiKey, baseURL: `${proxy.url}/v1`, maxRetries: 2 })
      const file = await upload(retrying, toJsonl([chatLine('pricey')]))
      const err = await rejection(createFrom(retrying, file.id))
      expectEnvelope(err, OpenAI.APIError, 'insufficient_credits')
      expect(err.status).toBe(402)
      expect(err.headers.get('x-should-retry')).toBe('false')
      expect(proxy.seen.filter((r) => r.method === 'POST' && r.path === '/v1/batches')).toHaveLength(1)
    } finally {
      proxy.stop()
    }
  }, SLOW_MS)

  it('every answer carries x-request-id, successes included', async () => {
    const { data, response, request_id } = await client.models.list().withResponse()
    expect(data.data.length).toBeGreaterThan(0)
    expect(response.headers.get('x-request-id')).toMatch(/^req_/)
    expect(request_id).toBe(response.headers.get('x-request-id'))
  }, SLOW_MS)
})

describe('every registered error code as the SDK maps it', () => {
  const SDK_CLASS: Record<number, ErrorClass> = {
    400: OpenAI.BadRequestError,
    401: OpenAI.AuthenticationError,
    403: OpenAI.PermissionDeniedError,
    404: OpenAI.NotFoundError,
    409: OpenAI.ConflictError,
    422: OpenAI.UnprocessableEntityError,
    429: OpenAI.RateLimitError,
    500: OpenAI.InternalServerError,
    503: OpenAI.InternalServerError,
  }
  /** Statuses the SDK retries by itself (and which we do not forbid with x-should-retry: false). */
  const RETRIED = new Set([429, 500, 503])

  for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
    const { status, type } = ERROR_CODES[code]
    it(`${code} → ${status} ${SDK_CLASS[status]?.name ?? 'APIError'}${RETRIED.has(status) ? ', retried' : ''}`, async () => {
      let attempts = 0
      const fetch = async () => {
        attempts++
        return errorResponse(new AppError(code, { message: `${code} happened`, param: 'p', retryAfter: 0 }), 'req_0000000000000000000000AB')
      }
      const sdk = new OpenAI({ apiKey: 'k', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 1, fetch: fetch as unknown as typeof globalThis.fetch })
      const err = await rejection(sdk.batches.list())
      expect(err).toBeInstanceOf(SDK_CLASS[status] ?? OpenAI.APIError)
      expect(err.status).toBe(status)
      expect(err.error).toMatchObject({ message: `${code} happened`, type, param: 'p', code })
      expect(err.code).toBe(code)
      expect(err.param).toBe('p')
      expect(err.type).toBe(type)
      expect(err.requestID).toBe('req_0000000000000000000000AB')
      expect(attempts).toBe(RETRIED.has(status) ? 2 : 1)
    }, SLOW_MS)
  }

  it('429 and 503 carry retry-after (1 s unless the error says otherwise); 402 and 409 carry x-should-retry: false', () => {
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      const { status } = ERROR_CODES[code]
      const res = errorResponse(new AppError(code, { message: 'm' }), 'req_x')
      expect(res.headers.get('x-request-id')).toBe('req_x')
      expect(res.headers.get('retry-after')).toBe(status === 429 || status === 503 ? '1' : null)
      expect(res.headers.get('x-should-retry')).toBe(status === 402 || status === 409 ? 'false' : null)
    }
    expect(errorResponse(new AppError('rate_limited', { message: 'm', retryAfter: 30 }), 'req_x').headers.get('retry-after')).toBe('30')
  })

  it('no code maps to 422: validation failures are 400, as the OpenAI API answers them', () => {
    expect((Object.values(ERROR_CODES) as { status: number }[]).some((e) => e.status === 422)).toBe(false)
    expect(ERROR_CODES.validation_failed.status).toBe(400)
  })
})
