import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { createOpenAiCompatibleAdapter, ITEM_ID_HEADER } from '../../../src/providers/openai-compatible'
import { createAdapters } from '../../../src/providers/registry'
import { ITEM_ID_HEADER as SIM_ITEM_ID_HEADER } from '../../../src/sim/state'
import { startSimulatorServer, type SimulatorServer } from '../../../src/sim/server'
import { chatRequest, describeRequestAdapterContract, setScenario } from '../request-adapter-contract'

let sim: SimulatorServer
beforeAll(() => {
  sim = startSimulatorServer({ host: '127.0.0.1', port: 0 })
})
afterAll(() => sim.stop())

describeRequestAdapterContract('openai-compatible', {
  makeAdapter: (opts) => createOpenAiCompatibleAdapter(opts),
  endpoint: () => ({ providerId: 'sim', baseUrl: `${sim.url}/v1` }),
  controlUrl: () => sim.url,
})

/** A one-route fake upstream that records what it received and answers `reply`. */
function fakeUpstream(reply: (req: Request) => Response | Promise<Response>) {
  const seen: { headers: Headers; body: any; path: string }[] = []
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(req) {
      seen.push({ headers: req.headers, body: await req.json().catch(() => null), path: new URL(req.url).pathname })
      return reply(req)
    },
  })
  return { seen, endpoint: { providerId: 'fake', baseUrl: `http://127.0.0.1:${server.port}/v1/`, apiKey: 'sk-test' }, stop: () => server.stop(true) }
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })
const completion = { id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 10, prompt_tokens_details: { cached_tokens: 4 } } }

describe('openai-compatible adapter specifics', () => {
  it('uses the same item-id header as the simulator counts', () => {
    expect(ITEM_ID_HEADER).toBe(SIM_ITEM_ID_HEADER)
  })

  it('sends Bearer auth, the item id and our model, and never asks for a stream', async () => {
    const up = fakeUpstream(() => json(completion))
    const req = chatRequest('hi', { stream: true, stream_options: { include_usage: true }, model: 'ignored' })
    const outcome = await createOpenAiCompatibleAdapter().call(up.endpoint, req)
    up.stop()
    expect(up.seen[0]!.path).toBe('/v1/chat/completions')
    expect(up.seen[0]!.headers.get('authorization')).toBe('Bearer sk-test')
    expect(up.seen[0]!.headers.get(ITEM_ID_HEADER)).toBe(req.itemId)
    expect(up.seen[0]!.body).toEqual({ messages: [{ role: 'user', content: 'hi' }], model: 'gpt-4o-mini' })
    expect(outcome).toMatchObject({ ok: true, requestId: 'chatcmpl-1', usage: { inputTokens: 10, outputTokens: 0, cachedTokens: 4 } })
  })

  it('sends no authorization header without an api key', async () => {
    const up = fakeUpstream(() => json(completion))
    await createOpenAiCompatibleAdapter().call({ ...up.endpoint, apiKey: undefined }, chatRequest('hi'))
    up.stop()
    expect(up.seen[0]!.headers.get('authorization')).toBeNull()
  })

  it.each([
    ['vLLM nested error with an int code', () => json({ error: { message: 'secret upstream text', type: 'BadRequestError', param: null, code: 400 } }, 400), 'invalid_request', 'code 400'],
    ['old vLLM flat error', () => json({ object: 'error', message: 'secret upstream text', type: 'NotFoundError', code: 'model_not_found' }, 404), 'invalid_request', 'code model_not_found'],
    ['422 validation error', () => json({ detail: 'secret upstream text' }, 422), 'invalid_request', 'HTTP 422'],
    ['HTML 502 from a proxy', () => new Response('<html>secret upstream text</html>', { status: 502 }), 'server_error', 'HTTP 502'],
    ['403', () => json({ error: { message: 'secret upstream text', code: 'a very long free text code that is not an identifier' } }, 403), 'auth', 'HTTP 403)'],
  ] as const)('maps %s without echoing upstream text', async (_name, respond, kind, mention) => {
    const up = fakeUpstream(respond)
    const outcome = await createOpenAiCompatibleAdapter().call(up.endpoint, chatRequest('x'))
    up.stop()
    expect(outcome.ok).toBe(false)
    if (outcome.ok) return
    expect(outcome.error.kind).toBe(kind)
    expect(outcome.error.message).toContain(mention)
    expect(outcome.error.message).not.toContain('secret')
  })

  it('reads retry-after-ms before retry-after', async () => {
    await setScenario(sim.url, { global: { fail_rate: 1, fail_status: 429, retry_after_s: 0.25 } })
    const outcome = await createOpenAiCompatibleAdapter().call({ providerId: 'sim', baseUrl: `${sim.url}/v1` }, chatRequest('x'))
    await fetch(`${sim.url}/_sim/reset`, { method: 'POST' })
    expect(!outcome.ok && outcome.error.retryAfterMs).toBe(250)
  })

  it('treats a 200 missing usage as malformed_response', async () => {
    const { usage: _usage, ...noUsage } = completion
    const up = fakeUpstream(() => json(noUsage))
    const outcome = await createOpenAiCompatibleAdapter().call(up.endpoint, chatRequest('x'))
    up.stop()
    expect(!outcome.ok && outcome.error).toMatchObject({ kind: 'malformed_response', retryable: true, status: 200 })
  })

  it('does not follow redirects (the bearer token stays home)', async () => {
    const up = fakeUpstream(() => new Response(null, { status: 307, headers: { location: 'http://127.0.0.1:1/steal' } }))
    const outcome = await createOpenAiCompatibleAdapter().call(up.endpoint, chatRequest('x'))
    up.stop()
    expect(!outcome.ok && outcome.error).toMatchObject({ kind: 'server_error', retryable: false, status: 307 })
  })

  it('reports a caller abort as timeout', async () => {
    await setScenario(sim.url, { global: { latency_ms: 2000 } })
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 50)
    const outcome = await createOpenAiCompatibleAdapter().call({ providerId: 'sim', baseUrl: `${sim.url}/v1` }, chatRequest('x'), controller.signal)
    await fetch(`${sim.url}/_sim/reset`, { method: 'POST' })
    expect(!outcome.ok && outcome.error.kind).toBe('timeout')
  })

  it('refuses a url it cannot execute as invalid_request', async () => {
    const outcome = await createOpenAiCompatibleAdapter().call({ providerId: 'sim', baseUrl: `${sim.url}/v1` }, { ...chatRequest('x'), url: '/v1/images/generations' })
    expect(!outcome.ok && outcome.error).toMatchObject({ kind: 'invalid_request', retryable: false })
  })
})

describe('createAdapters', () => {
  it('builds the openai-compatible request adapter', () => {
    expect(createAdapters()['openai-compatible'].kind).toBe('openai-compatible')
  })
})
