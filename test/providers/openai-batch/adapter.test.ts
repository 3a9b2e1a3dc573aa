/**
 * The openai-batch adapter against the simulator's OpenAI Files + Batch dialect: the shared
 * batch contract, plus what this wire needs — a multipart upload with purpose=batch, one JSONL
 * line per entry with our item id as custom_id, our job id in the batch metadata, the bearer key.
 */
import { describe, expect, it } from 'bun:test'
import { createOpenAiBatchAdapter, JOB_METADATA_KEY } from '../../../src/providers/openai-batch'
import { inputLine, outcomeOfLine } from '../../../src/providers/openai-batch/map'
import { batchAdapterContract, chatEntries, contractContext, SUITE_MAX_REQUESTS } from '../batch-adapter-contract'

const ctx = contractContext()
const target = {
  name: 'openai-batch',
  model: 'gpt-4o-mini',
  adapter: (fetchImpl?: typeof fetch) => createOpenAiBatchAdapter({ now: () => ctx.clock.now(), limits: { maxRequests: SUITE_MAX_REQUESTS }, ...(fetchImpl ? { fetch: (url: string, init: RequestInit) => fetchImpl(url, init) } : {}) }),
  endpoint: (simUrl: string) => ({ providerId: 'openai', baseUrl: `${simUrl}/v1`, apiKey: 'sk-test' }),
}
batchAdapterContract(target, ctx)

describe('openai-batch wire', () => {
  it('uploads a multipart JSONL file (purpose=batch) and creates the batch with our job id in metadata, with the bearer key', async () => {
    const seen: Array<{ url: string; init: RequestInit }> = []
    const adapter = target.adapter(((url: string, init: RequestInit) => {
      seen.push({ url, init })
      return fetch(url, init)
    }) as typeof fetch)
    const entries = chatEntries(adapter, 'gpt-4o-mini', 2)
    await adapter.submit(target.endpoint(ctx.sim().url), { jobId: 'pjob_wire1', entries })
    const [upload, create] = seen
    expect(upload!.url).toEndWith('/v1/files')
    const form = upload!.init.body as FormData
    expect(form.get('purpose')).toBe('batch')
    const file = form.get('file') as File
    expect(file.name).toBe('batchrouter-pjob_wire1.jsonl')
    const lines = (await file.text()).trim().split('\n').map((l) => JSON.parse(l))
    expect(lines).toEqual(entries.map((e) => ({ custom_id: e.request.itemId, method: 'POST', url: '/v1/chat/completions', body: { ...e.request.body, model: 'gpt-4o-mini' } })))
    expect(new Headers(upload!.init.headers).get('authorization')).toBe('Bearer sk-test')
    expect(create!.url).toEndWith('/v1/batches')
    expect(JSON.parse(create!.init.body as string)).toMatchObject({ endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { [JOB_METADATA_KEY]: 'pjob_wire1' } })
  })

  it('maps output and error lines', () => {
    const chat = { id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 1 } } }
    const cases: Array<[string, Parameters<typeof outcomeOfLine>[0], Record<string, unknown>]> = [
      ['200 chat.completion → ok with usage', { custom_id: 'x', response: { status_code: 200, request_id: 'req_1', body: chat }, error: null }, { ok: true, usage: { inputTokens: 5, outputTokens: 2, cachedTokens: 1 }, requestId: 'req_1' }],
      ['400 → invalid_request, not retried', { custom_id: 'x', response: { status_code: 400, body: { error: { code: 'bad' } } }, error: null }, { ok: false, error: { kind: 'invalid_request', retryable: false } }],
      ['429 → rate_limited', { custom_id: 'x', response: { status_code: 429, body: {} }, error: null }, { ok: false, error: { kind: 'rate_limited', retryable: true } }],
      ['batch_expired → not_run', { custom_id: 'x', response: null, error: { code: 'batch_expired', message: 'm' } }, { ok: false, error: { kind: 'not_run' } }],
      ['batch_cancelled → not_run', { custom_id: 'x', response: null, error: { code: 'batch_cancelled', message: 'm' } }, { ok: false, error: { kind: 'not_run' } }],
      ['request_timeout → timeout', { custom_id: 'x', response: null, error: { code: 'request_timeout', message: 'm' } }, { ok: false, error: { kind: 'timeout', retryable: true } }],
      ['200 with a wrong shape → malformed_response', { custom_id: 'x', response: { status_code: 200, body: { object: 'nope' } }, error: null }, { ok: false, error: { kind: 'malformed_response' } }],
    ]
    for (const [name, line, expected] of cases) expect({ name, ...outcomeOfLine(line, 'item_1') }).toMatchObject({ name, itemId: 'item_1', ...expected })
  })

  it('sends /v1/responses items as chat completions lines, embeddings as embeddings lines', () => {
    const base = { customId: 'a', request: { itemId: 'a', operation: 'responses' as const, url: '/v1/responses', model: 'gpt-4o-mini', body: { messages: [] } } }
    expect(JSON.parse(inputLine(base)).url).toBe('/v1/chat/completions')
    expect(JSON.parse(inputLine({ ...base, request: { ...base.request, operation: 'embeddings', url: '/v1/embeddings', body: { input: 'x' } } })).url).toBe('/v1/embeddings')
  })
})
