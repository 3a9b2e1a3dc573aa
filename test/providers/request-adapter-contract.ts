/**
 * The contract every request-style adapter keeps (design §5), run over real HTTP against the
 * provider simulator. An adapter's test file calls `describeRequestAdapterContract` with a
 * factory and a running simulator; the suite scripts faults through `/_sim/scenario`.
 */
import { afterEach, describe, expect, it } from 'bun:test'
import type { ItemOutcome, ProviderEndpoint, ProviderErrorKind, ProviderRequest, RequestAdapter } from '../../src/providers/types'

export interface ContractTarget {
  /** Builds the adapter under test with a per-request timeout. */
  makeAdapter(opts: { timeoutMs: number }): RequestAdapter
  /** The simulator's wire base (ends in /v1) and control base URLs. */
  endpoint(): ProviderEndpoint
  controlUrl(): string
}

let counter = 0
/** A chat item with a fresh id. */
export function chatRequest(text: string, extra: Record<string, unknown> = {}): ProviderRequest {
  return { itemId: `item_contract${++counter}`, operation: 'responses', url: '/v1/chat/completions', model: 'gpt-4o-mini', body: { messages: [{ role: 'user', content: text }], ...extra } }
}

/** PUTs a scenario on the simulator behind `controlUrl`. */
export async function setScenario(controlUrl: string, scenario: unknown): Promise<void> {
  const res = await fetch(`${controlUrl}/_sim/scenario`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(scenario) })
  if (res.status !== 200) throw new Error(`scenario refused: ${res.status} ${await res.text()}`)
}

function expectFailure(outcome: ItemOutcome, kind: ProviderErrorKind, retryable: boolean) {
  expect(outcome.ok).toBe(false)
  if (outcome.ok) return
  expect(outcome.error.kind).toBe(kind)
  expect(outcome.error.retryable).toBe(retryable)
  expect(outcome.error.message.length).toBeGreaterThan(0)
  return outcome.error
}

/** Registers the contract suite under `describe(name)`. */
export function describeRequestAdapterContract(name: string, target: ContractTarget): void {
  describe(`${name} (request adapter contract)`, () => {
    const adapter = () => target.makeAdapter({ timeoutMs: 5000 })
    afterEach(() => fetch(`${target.controlUrl()}/_sim/reset`, { method: 'POST' }))

    it('returns the chat.completion and normalised usage for a chat item', async () => {
      const req = chatRequest('Summarise the plot of Hamlet')
      const outcome = await adapter().call(target.endpoint(), req)
      expect(outcome.ok).toBe(true)
      if (!outcome.ok) return
      expect(outcome.itemId).toBe(req.itemId)
      expect(outcome.output).toMatchObject({ object: 'chat.completion', model: 'gpt-4o-mini' })
      const choices = outcome.output.choices as { message: { content: string } }[]
      expect(choices[0]!.message.content).toBe('Simulated reply to: Summarise the plot of Hamlet')
      expect(outcome.usage.inputTokens).toBeGreaterThan(0)
      expect(outcome.usage.outputTokens).toBeGreaterThan(0)
      expect(outcome.usage.cachedTokens).toBe(0)
    })

    it('executes /v1/responses items as chat completions', async () => {
      const outcome = await adapter().call(target.endpoint(), { ...chatRequest('hi'), url: '/v1/responses' })
      expect(outcome.ok && outcome.output.object).toBe('chat.completion')
    })

    it('returns the embeddings list and input-only usage for an embeddings item', async () => {
      const req: ProviderRequest = { itemId: 'item_emb1', operation: 'embeddings', url: '/v1/embeddings', model: 'nomic-embed-text', body: { input: ['one', 'two'] } }
      const outcome = await adapter().call(target.endpoint(), req)
      expect(outcome.ok).toBe(true)
      if (!outcome.ok) return
      const data = outcome.output.data as { embedding: number[] }[]
      expect(data).toHaveLength(2)
      expect(data[0]!.embedding).toHaveLength(768)
      expect(outcome.usage).toEqual({ inputTokens: 2, outputTokens: 0, cachedTokens: 0 })
    })

    it('passes image_url parts through for a vision item', async () => {
      const content = [{ type: 'text', text: 'What is in this image?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }]
      const req: ProviderRequest = { itemId: 'item_vis1', operation: 'vision', url: '/v1/chat/completions', model: 'gpt-4o', body: { messages: [{ role: 'user', content }] } }
      const outcome = await adapter().call(target.endpoint(), req)
      expect(outcome.ok).toBe(true)
      if (outcome.ok) expect(outcome.usage.inputTokens).toBeGreaterThanOrEqual(85)
    })

    it('sends the item id so the provider can count requests per item', async () => {
      const req = chatRequest('count me')
      await adapter().call(target.endpoint(), req)
      const stats = (await (await fetch(`${target.controlUrl()}/_sim/stats`)).json()) as { by_custom_id: Record<string, number> }
      expect(stats.by_custom_id[req.itemId]).toBe(1)
    })

    it('maps 429 with Retry-After to rate_limited with retryAfterMs', async () => {
      await setScenario(target.controlUrl(), { global: { fail_rate: 1, fail_status: 429, retry_after_s: 2 } })
      const error = expectFailure(await adapter().call(target.endpoint(), chatRequest('x')), 'rate_limited', true)
      expect(error?.status).toBe(429)
      expect(error?.retryAfterMs).toBe(2000)
    })

    it('maps 500 to a retryable server_error', async () => {
      await setScenario(target.controlUrl(), { global: { fail_rate: 1 } })
      expect(expectFailure(await adapter().call(target.endpoint(), chatRequest('x')), 'server_error', true)?.status).toBe(500)
    })

    it('maps 401 to auth, not retryable', async () => {
      await setScenario(target.controlUrl(), { global: { fail_rate: 1, fail_status: 401 } })
      expectFailure(await adapter().call(target.endpoint(), chatRequest('x')), 'auth', false)
    })

    it('maps a request the provider rejects (400) to invalid_request, not retryable', async () => {
      const req: ProviderRequest = { ...chatRequest('x'), body: { messages: [] } }
      expect(expectFailure(await adapter().call(target.endpoint(), req), 'invalid_request', false)?.status).toBe(400)
    })

    it('maps no answer within the per-request timeout to timeout', async () => {
      await setScenario(target.controlUrl(), { global: { timeout_rate: 1 } })
      const started = performance.now()
      expectFailure(await target.makeAdapter({ timeoutMs: 150 }).call(target.endpoint(), chatRequest('x')), 'timeout', true)
      expect(performance.now() - started).toBeLessThan(3000)
    })

    it('maps an answer that fails the wire schema to malformed_response', async () => {
      await setScenario(target.controlUrl(), { global: { malformed_rate: 1, seed: 1 } })
      for (let i = 0; i < 4; i++) expectFailure(await adapter().call(target.endpoint(), chatRequest(`m${i}`)), 'malformed_response', true)
    })

    it('maps a refused connection to network', async () => {
      const dead = { providerId: 'dead', baseUrl: 'http://127.0.0.1:1/v1' }
      expectFailure(await adapter().call(dead, chatRequest('x')), 'network', true)
    })

    it('never puts upstream error text in its message', async () => {
      await setScenario(target.controlUrl(), { global: { fail_rate: 1, fail_status: 503 } })
      const error = expectFailure(await adapter().call(target.endpoint(), chatRequest('x')), 'server_error', true)
      expect(error?.message).not.toContain('simulated')
    })
  })
}
