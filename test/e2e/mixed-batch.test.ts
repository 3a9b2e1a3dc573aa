/**
 * One batch mixing operations and models — chat, embeddings, vision with an uploaded PNG and with
 * a data URL, and a second chat model — runs under one batch id across several lanes, and every
 * output has the contract's OpenAI shape. The upstream bodies are read off the wire (a
 * pass-through recorder around fetch: sync request bodies, and the JSONL files batch dialects
 * upload) to prove the image reached the provider as a data URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { json, startTestApp, type TestApp } from '../helpers/test-app'
import { chatItem, embeddingItem, pageAllResults, postBatch, simStats, waitForTerminal } from '../helpers/batch-helpers'
import { IMAGE_TOKENS } from '../../src/sim/deterministic'

// A 1×1 transparent PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64')
const PNG_DATA_URL = `data:image/png;base64,${PNG.toString('base64')}`

interface Sent {
  path: string
  /** x-batchrouter-item-id of a sync request. */
  itemId: string | null
  /** The body as text; for multipart, the text of every part. */
  text: string
}

/** Text of a fetch body we can read without consuming it (string, bytes, Blob, FormData). */
async function bodyText(body: unknown): Promise<string> {
  if (typeof body === 'string') return body
  if (body instanceof Uint8Array || body instanceof ArrayBuffer) return new TextDecoder().decode(body)
  if (body instanceof Blob) return body.text()
  if (body instanceof FormData) {
    const parts: string[] = []
    for (const [, value] of body.entries()) parts.push(typeof value === 'string' ? value : await (value as Blob).text())
    return parts.join('\n')
  }
  return ''
}

/** The upstream request body sent for our item: a sync call carrying its id, or a batch-file line with its custom_id. */
function upstreamBodyOf(itemId: string): any {
  for (const s of sent) {
    if (s.itemId === itemId) return JSON.parse(s.text)
    for (const line of s.text.split('\n')) {
      if (!line.includes(itemId)) continue
      try {
        const v = JSON.parse(line)
        if (v?.custom_id === itemId) return v.body ?? v.params
      } catch {
        // not a JSON line
      }
    }
  }
  return undefined
}

let app: TestApp
let org: ReturnType<TestApp['newOrg']>
let fileId: string
const sent: Sent[] = []
const realFetch = globalThis.fetch

beforeAll(async () => {
  app = await startTestApp({ config: { demo: true, tickMs: 100 } })
  org = app.newOrg('5.00')
  // Pass-through recorder: every upstream call still reaches the mounted simulator unchanged.
  globalThis.fetch = Object.assign(async (input: any, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    if (url.includes('/_sim/upstream/') && init?.body) {
      const headers = new Headers(init.headers)
      sent.push({ path: new URL(url).pathname, itemId: headers.get('x-batchrouter-item-id'), text: await bodyText(init.body) })
    }
    return realFetch(input, init)
  }, realFetch)
})
afterAll(async () => {
  globalThis.fetch = realFetch
  await app.close()
})

describe('a mixed batch (chat, embeddings, vision, two chat models)', () => {
  let batch: any
  let results: any[]

  it('uploads the image with POST /v1/files as a raw image/png body', async () => {
    const res = await json(app.request('/v1/files', { method: 'POST', headers: { ...org.auth, 'content-type': 'image/png', 'content-length': String(PNG.length), 'x-batchrouter-purpose': 'vision' }, body: PNG }))
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ content_type: 'image/png', bytes: PNG.length })
    fileId = res.body.id
  })

  it('runs every item to completed under one batch id, over two or more lanes', async () => {
    const items = [
      chatItem('chat-1', 'gpt-4o-mini'),
      chatItem('chat-2', 'gpt-4o-mini'),
      embeddingItem('embed-1', 'text-embedding-3-small'),
      { customer_item_id: 'vision-file', operation: 'vision', model: 'gpt-4o-mini', input: { messages: [{ role: 'user', content: [{ type: 'text', text: 'What is in this picture?' }, { type: 'input_image', file_id: fileId }] }] } },
      { customer_item_id: 'vision-dataurl', operation: 'vision', model: 'gpt-4o-mini', input: { messages: [{ role: 'user', content: [{ type: 'text', text: 'Describe this picture.' }, { type: 'image_url', image_url: { url: PNG_DATA_URL } }] }] } },
      chatItem('claude-1', 'claude-haiku-4-5'),
    ]
    const created = await postBatch(app, org.auth, { items }, 'mixed-batch-key-1')
    expect(created.status).toBe(202)
    batch = await waitForTerminal(app, org.auth, created.body.id)
    expect(batch.id).toBe(created.body.id)
    expect(batch.batch.status).toBe('completed')
    expect(batch.request_counts).toEqual({ total: 6, completed: 6, failed: 0 })
    const lanes = batch.batch.lanes as any[]
    expect(lanes.length).toBeGreaterThanOrEqual(2)
    const laneKeys = lanes.map((l) => `${l.model}|${l.operation}`).sort()
    expect(laneKeys).toEqual(['claude-haiku-4-5|responses', 'gpt-4o-mini|responses', 'gpt-4o-mini|vision', 'text-embedding-3-small|embeddings'])
    expect(lanes.reduce((a, l) => a + l.item_count, 0)).toBe(6)
    expect(lanes.every((l) => l.completed === l.item_count && l.failed === 0)).toBe(true)
    results = (await pageAllResults(app, org.auth, batch.id)).results
    expect(results.map((r) => r.customer_item_id)).toEqual(items.map((i) => i.customer_item_id))
    expect(results.every((r) => r.status === 'completed' && r.error === null)).toBe(true)
  })

  it('shapes chat and vision outputs as chat.completion objects with usage', () => {
    for (const r of results.filter((x) => x.operation !== 'embeddings')) {
      expect(r.output).toMatchObject({ object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant' } }] })
      expect(typeof r.output.id).toBe('string')
      expect(typeof r.output.created).toBe('number')
      expect(typeof r.output.choices[0].message.content).toBe('string')
      expect(typeof r.output.choices[0].finish_reason).toBe('string')
      const u = r.output.usage
      expect(u.total_tokens).toBe(u.prompt_tokens + u.completion_tokens)
      expect(r.usage).toEqual({ input_tokens: u.prompt_tokens, output_tokens: u.completion_tokens, total_tokens: u.total_tokens })
    }
    expect(results.find((r) => r.customer_item_id === 'claude-1')).toMatchObject({ model: 'claude-haiku-4-5', provider: 'anthropic' })
  })

  it('shapes the embedding output as an embedding list with a 1536-dimension vector', () => {
    const r = results.find((x) => x.customer_item_id === 'embed-1')
    expect(r.operation).toBe('embeddings')
    expect(r.output.object).toBe('list')
    expect(r.output.data[0]).toMatchObject({ object: 'embedding', index: 0 })
    expect(r.output.data[0].embedding).toHaveLength(1536)
    expect(r.output.usage.prompt_tokens).toBeGreaterThan(0)
  })

  it('counted an image in each vision prompt (the simulator adds IMAGE_TOKENS per image_url part)', () => {
    for (const id of ['vision-file', 'vision-dataurl']) {
      const r = results.find((x) => x.customer_item_id === id)
      expect(r.operation).toBe('vision')
      expect(r.output.usage.prompt_tokens).toBeGreaterThanOrEqual(IMAGE_TOKENS)
    }
  })

  it('the simulator ran each item once, under each upstream model', async () => {
    const stats = await simStats(app)
    expect(stats.total).toBeGreaterThan(0)
    for (const path of Object.keys(stats.by_path)) expect(path).toStartWith('/_sim/upstream/')
    expect(stats.by_model['gpt-4o-mini']).toBe(4)
    expect(stats.by_model['text-embedding-3-small']).toBe(1)
    expect(stats.by_model['claude-haiku-4-5-20251001']).toBe(1)
    // One run per item (batch dialects may name an item by their own custom id).
    expect(Object.values(stats.by_custom_id).sort()).toEqual([1, 1, 1, 1, 1, 1])
    for (const r of results.filter((x) => x.model !== 'claude-haiku-4-5')) expect(stats.by_custom_id[r.batch_item_id]).toBe(1)
  })

  it('sent the uploaded file upstream as an image_url part holding its data URL', () => {
    const itemIdOf = (customer: string) => results.find((x) => x.customer_item_id === customer).batch_item_id as string
    for (const id of ['vision-file', 'vision-dataurl']) {
      const body = upstreamBodyOf(itemIdOf(id))
      expect(body).toBeDefined()
      expect(body.model).toBe('gpt-4o-mini')
      const parts = body.messages[0].content as any[]
      expect(parts).toContainEqual({ type: 'image_url', image_url: { url: PNG_DATA_URL } })
      expect(parts.some((p) => p.type === 'input_image')).toBe(false)
    }
    expect(upstreamBodyOf(itemIdOf('embed-1'))).toMatchObject({ model: 'text-embedding-3-small', input: 'Embed the words of embed-1' })
  })
})
