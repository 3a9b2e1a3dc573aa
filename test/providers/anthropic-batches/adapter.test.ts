/**
 * The anthropic-batches adapter against the simulator's Message Batches dialect: the shared
 * batch contract, plus what this wire needs — inline requests translated to Messages params,
 * provider-safe custom ids mapped back to items, x-api-key and anthropic-version headers,
 * results mapped from succeeded / errored / canceled / expired lines.
 */
import { describe, expect, it } from 'bun:test'
import { ANTHROPIC_VERSION, createAnthropicBatchesAdapter } from '../../../src/providers/anthropic-batches'
import { CUSTOM_ID_PATTERN, outcomeOfResult, requestEntry, safeCustomId } from '../../../src/providers/anthropic-batches/map'
import { batchAdapterContract, collectAll, contractContext, pollToEnd, refOf, SUITE_MAX_REQUESTS } from '../batch-adapter-contract'
import type { BatchEntry } from '../../../src/providers/types'

const ctx = contractContext()
const MODEL = 'claude-haiku-4-5-20251001'
const target = {
  name: 'anthropic-batches',
  model: MODEL,
  adapter: (fetchImpl?: typeof fetch) => createAnthropicBatchesAdapter({ now: () => ctx.clock.now(), limits: { maxRequests: SUITE_MAX_REQUESTS }, ...(fetchImpl ? { fetch: (url: string, init: RequestInit) => fetchImpl(url, init) } : {}) }),
  endpoint: (simUrl: string) => ({ providerId: 'anthropic', baseUrl: simUrl, apiKey: 'sk-ant-test' }),
}
batchAdapterContract(target, ctx)

describe('anthropic-batches wire', () => {
  it('posts inline Messages params with x-api-key and anthropic-version, under provider-safe custom ids mapped back to items', async () => {
    const seen: Array<{ url: string; init: RequestInit }> = []
    const adapter = target.adapter(((url: string, init: RequestInit) => {
      seen.push({ url, init })
      return fetch(url, init)
    }) as typeof fetch)
    // Item ids Anthropic would refuse (too long, dots) get a per-job safe id.
    const itemIds = ['item_ok1', `item_${'x'.repeat(70)}`, 'item.with.dots']
    const entries: BatchEntry[] = itemIds.map((itemId, i) => ({ customId: adapter.customIdFor(itemId, i), request: { itemId, operation: 'responses', url: '/v1/chat/completions', model: MODEL, body: { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: `Hi ${i}` }], stop: 'END' } } }))
    expect(entries.map((e) => e.customId)).toEqual(['item_ok1', 'r-1', 'r-2'])
    for (const e of entries) expect(e.customId).toMatch(CUSTOM_ID_PATTERN)
    await ctx.scenario({ global: { turnaround_s: 1 } })
    const endpoint = target.endpoint(ctx.sim().url)
    const { remoteId } = await adapter.submit(endpoint, { jobId: 'pjob_ant1', entries })
    const headers = new Headers(seen[0]!.init.headers)
    expect(seen[0]!.url).toBe(`${ctx.sim().url}/v1/messages/batches`)
    expect(headers.get('x-api-key')).toBe('sk-ant-test')
    expect(headers.get('anthropic-version')).toBe(ANTHROPIC_VERSION)
    const body = JSON.parse(seen[0]!.init.body as string)
    expect(body.requests[0]).toEqual({ custom_id: 'item_ok1', params: { model: MODEL, max_tokens: 1024, system: 'Be brief.', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi 0' }] }], stop_sequences: ['END'] } })
    await pollToEnd(adapter, endpoint, remoteId, ctx.clock)
    const outcomes = await collectAll(adapter.results(endpoint, refOf(remoteId, entries)))
    expect(outcomes.map((o) => [o.itemId, o.ok]).sort()).toEqual(itemIds.map((id) => [id, true]).sort())
    const first = outcomes.find((o) => o.itemId === 'item_ok1')!
    expect(first.ok && first.output).toMatchObject({ object: 'chat.completion', model: MODEL, choices: [{ message: { role: 'assistant', content: 'Simulated reply to: Hi 0' }, finish_reason: 'stop' }] })
  })

  it('an invalid request comes back errored (invalid_request, not retried) without failing the batch', async () => {
    const adapter = target.adapter()
    await ctx.scenario({ global: { turnaround_s: 1 } })
    const endpoint = target.endpoint(ctx.sim().url)
    // Bypass translation to send params the API refuses (no max_tokens).
    const res = await fetch(`${ctx.sim().url}/v1/messages/batches`, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': ANTHROPIC_VERSION, 'x-api-key': 'k' }, body: JSON.stringify({ requests: [{ custom_id: 'bad', params: { model: MODEL, messages: [{ role: 'user', content: 'x' }] } }] }) })
    const created = (await res.json()) as { id: string }
    await pollToEnd(adapter, endpoint, created.id, ctx.clock)
    const [outcome] = await collectAll(adapter.results(endpoint, { remoteId: created.id, items: new Map([['bad', 'item_bad']]) }))
    expect(outcome).toMatchObject({ ok: false, itemId: 'item_bad', error: { kind: 'invalid_request', retryable: false } })
  })

  it('refuses an embeddings item and an untranslatable body before sending (encode)', () => {
    const adapter = target.adapter()
    const embed = adapter.encode({ customId: 'a', request: { itemId: 'a', operation: 'embeddings', url: '/v1/embeddings', model: MODEL, body: { input: 'x' } } })
    expect(embed.ok).toBe(false)
    const n2 = requestEntry({ customId: 'b', request: { itemId: 'b', operation: 'responses', url: '/v1/chat/completions', model: MODEL, body: { messages: [{ role: 'user', content: 'x' }], n: 2 } } })
    expect(n2.ok).toBe(false)
    if (!n2.ok) expect(n2.error).toMatchObject({ kind: 'invalid_request', retryable: false })
  })

  it('maps results lines by type', () => {
    const message = { id: 'msg_1', type: 'message', model: MODEL, content: [{ type: 'text', text: 'hi' }], stop_reason: 'max_tokens', usage: { input_tokens: 10, output_tokens: 3, cache_creation_input_tokens: 2, cache_read_input_tokens: 4 } }
    const cases: Array<[string, Parameters<typeof outcomeOfResult>[0], Record<string, unknown>]> = [
      ['succeeded', { custom_id: 'x', result: { type: 'succeeded', message } }, { ok: true, usage: { inputTokens: 16, outputTokens: 3, cachedTokens: 4 }, output: { choices: [{ finish_reason: 'length' }] } }],
      ['errored rate limit', { custom_id: 'x', result: { type: 'errored', error: { type: 'error', error: { type: 'rate_limit_error', message: 'm' } } } }, { ok: false, error: { kind: 'rate_limited', retryable: true } }],
      ['errored overloaded', { custom_id: 'x', result: { type: 'errored', error: { type: 'error', error: { type: 'overloaded_error', message: 'm' } } } }, { ok: false, error: { kind: 'server_error', retryable: true } }],
      ['canceled', { custom_id: 'x', result: { type: 'canceled' } }, { ok: false, error: { kind: 'not_run' } }],
      ['expired', { custom_id: 'x', result: { type: 'expired' } }, { ok: false, error: { kind: 'not_run' } }],
      ['succeeded but not a Message', { custom_id: 'x', result: { type: 'succeeded', message: { nope: 1 } } }, { ok: false, error: { kind: 'malformed_response' } }],
    ]
    for (const [name, line, expected] of cases) expect({ name, ...outcomeOfResult(line, 'item_1', 0) }).toMatchObject({ name, itemId: 'item_1', ...expected })
  })

  it('keeps safe item ids and replaces unsafe ones', () => {
    expect(safeCustomId('item_AbC-09', 4)).toBe('item_AbC-09')
    expect(safeCustomId('has space', 4)).toBe('r-4')
    expect(safeCustomId('', 0)).toBe('r-0')
  })
})
