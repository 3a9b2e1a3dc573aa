import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { startSimulatorServer, type SimulatorServer } from '../../src/sim/server'

let sim: SimulatorServer
const NOW = Date.parse('2026-08-21T12:00:00Z')
beforeAll(() => {
  sim = startSimulatorServer({ host: '127.0.0.1', port: 0, now: () => NOW })
})
afterAll(() => sim.stop())

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(sim.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) })
  return { status: res.status, headers: res.headers, body: (await res.json()) as any }
}
const chat = (body: Record<string, unknown>) => post('/v1/chat/completions', { model: 'gpt-4o-mini', ...body })
const user = (content: unknown) => ({ messages: [{ role: 'user', content }] })

describe('startSimulatorServer', () => {
  it('listens on a real port when asked for port 0', () => {
    expect(sim.port).toBeGreaterThan(0)
    expect(sim.url).toBe(`http://127.0.0.1:${sim.port}`)
  })
})

describe('POST /v1/chat/completions', () => {
  it('answers a chat.completion with the real wire shape', async () => {
    const { status, headers, body } = await chat(user('Hello there'))
    expect(status).toBe(200)
    expect(headers.get('content-type')).toContain('application/json')
    expect(body).toMatchObject({
      object: 'chat.completion',
      created: NOW / 1000,
      model: 'gpt-4o-mini',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Simulated reply to: Hello there' }, finish_reason: 'stop' }],
    })
    expect(body.id).toMatch(/^chatcmpl-[0-9a-f]+$/)
    // prompt: 4 + ceil(11/4) = 7; completion: ceil(31/4) = 8
    expect(body.usage).toEqual({ prompt_tokens: 7, completion_tokens: 8, total_tokens: 15, prompt_tokens_details: { cached_tokens: 0 } })
  })

  it('gives the same output for the same input, with a fresh id', async () => {
    const a = await chat(user('Same question'))
    const b = await chat(user('Same question'))
    expect(b.body.choices).toEqual(a.body.choices)
    expect(b.body.usage).toEqual(a.body.usage)
    expect(b.body.id).not.toBe(a.body.id)
  })

  it('honours max_tokens with finish_reason length', async () => {
    const { body } = await chat({ ...user('Tell me a long story about dragons'), max_tokens: 3 })
    expect(body.choices[0].finish_reason).toBe('length')
    expect(body.choices[0].message.content).toBe('Simulated re')
    expect(body.usage.completion_tokens).toBe(3)
  })

  it('counts a fixed 85 tokens per image_url part', async () => {
    const image = { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }
    const { status, body } = await chat(user([{ type: 'text', text: 'What is this?' }, image, image]))
    expect(status).toBe(200)
    expect(body.usage.prompt_tokens).toBe(4 + Math.ceil('What is this?'.length / 4) + 170)
    expect(body.choices[0].message.content).toBe('Simulated reply to: What is this?')
  })

  it('returns a tool call when asked to "call tool" with tools offered', async () => {
    const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }]
    const { body } = await chat({ ...user('Please call tool for Paris'), tools })
    expect(body.choices[0].finish_reason).toBe('tool_calls')
    expect(body.choices[0].message.content).toBeNull()
    expect(body.choices[0].message.tool_calls[0]).toMatchObject({ type: 'function', function: { name: 'get_weather', arguments: '{"input":"Please call tool for Paris"}' } })
    const none = await chat({ ...user('Please call tool for Paris'), tools, tool_choice: 'none' })
    expect(none.body.choices[0].finish_reason).toBe('stop')
  })

  it.each([
    ['no model', { messages: [{ role: 'user', content: 'x' }] }, 'model'],
    ['no messages', { model: 'm' }, 'messages'],
    ['empty messages', { model: 'm', messages: [] }, 'messages'],
    ['a bad role', { model: 'm', messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role'],
    ['an unknown content part', { model: 'm', messages: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file_1' }] }] }, 'messages[0].content[0].type'],
    ['stream:true', { model: 'm', stream: true, messages: [{ role: 'user', content: 'x' }] }, 'stream'],
    ['max_tokens 0', { model: 'm', max_tokens: 0, messages: [{ role: 'user', content: 'x' }] }, 'max_tokens'],
    ['a tool_choice naming no tool', { model: 'm', tool_choice: { type: 'function', function: { name: 'f' } }, messages: [{ role: 'user', content: 'x' }] }, 'tool_choice'],
  ])('answers 400 invalid_request_error for %s', async (_name, body, param) => {
    const res = await post('/v1/chat/completions', body)
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({ type: 'invalid_request_error', param })
    expect(Object.keys(res.body.error).sort()).toEqual(['code', 'message', 'param', 'type'])
  })

  it('answers 400 for a body that is not JSON', async () => {
    const res = await post('/v1/chat/completions', '{nope')
    expect(res.status).toBe(400)
    expect(res.body.error.type).toBe('invalid_request_error')
  })
})

describe('POST /v1/embeddings', () => {
  const norm = (v: number[]) => Math.hypot(...v)

  it.each([
    ['text-embedding-3-small', undefined, 1536],
    ['text-embedding-3-large', undefined, 3072],
    ['nomic-embed-text', undefined, 768],
    ['some-other-embedder', undefined, 256],
    ['text-embedding-3-large', 256, 256],
  ])('%s (dimensions %p) gives unit vectors of %d', async (model, dimensions, size) => {
    const { status, body } = await post('/v1/embeddings', { model, input: ['alpha', 'beta gamma'], dimensions })
    expect(status).toBe(200)
    expect(body).toMatchObject({ object: 'list', model, usage: { prompt_tokens: 2 + 3, total_tokens: 5 } })
    expect(body.data.map((d: any) => [d.object, d.index])).toEqual([['embedding', 0], ['embedding', 1]])
    for (const d of body.data) {
      expect(d.embedding).toHaveLength(size)
      expect(Math.abs(norm(d.embedding) - 1)).toBeLessThan(1e-9)
    }
  })

  it('is deterministic for the same model and input', async () => {
    const a = await post('/v1/embeddings', { model: 'nomic-embed-text', input: 'hello' })
    const b = await post('/v1/embeddings', { model: 'nomic-embed-text', input: ['hello'] })
    expect(b.body.data[0].embedding).toEqual(a.body.data[0].embedding)
  })

  it('answers base64 float32 vectors on request', async () => {
    const floats = await post('/v1/embeddings', { model: 'm', input: 'x', dimensions: 4 })
    const b64 = await post('/v1/embeddings', { model: 'm', input: 'x', dimensions: 4, encoding_format: 'base64' })
    const bytes = Buffer.from(b64.body.data[0].embedding, 'base64')
    const decoded = Array.from({ length: 4 }, (_, i) => bytes.readFloatLE(i * 4))
    decoded.forEach((v, i) => expect(v).toBeCloseTo(floats.body.data[0].embedding[i], 6))
  })

  it.each([
    ['no input', { model: 'm' }, 'input'],
    ['an empty string', { model: 'm', input: '' }, 'input'],
    ['bad dimensions', { model: 'm', input: 'x', dimensions: 0 }, 'dimensions'],
    ['no model', { input: 'x' }, 'model'],
  ])('answers 400 for %s', async (_name, body, param) => {
    const res = await post('/v1/embeddings', body)
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({ type: 'invalid_request_error', param })
  })
})

describe('GET /v1/models', () => {
  it('lists model cards, including models it has served', async () => {
    await post('/v1/chat/completions', { model: 'my-custom-model', messages: [{ role: 'user', content: 'x' }] })
    const res = await fetch(`${sim.url}/v1/models`)
    const body = (await res.json()) as any
    expect(body.object).toBe('list')
    const ids = body.data.map((m: any) => m.id)
    expect(ids).toContain('text-embedding-3-small')
    expect(ids).toContain('my-custom-model')
    expect(body.data[0]).toMatchObject({ object: 'model', owned_by: 'batchrouter-sim' })
  })

  it('serves one model card, slashes included, and 404 for an unknown one', async () => {
    const one = await fetch(`${sim.url}/v1/models/meta-llama/Llama-3.1-8B-Instruct`)
    expect(((await one.json()) as any).id).toBe('meta-llama/Llama-3.1-8B-Instruct')
    const missing = await fetch(`${sim.url}/v1/models/nope`)
    expect(missing.status).toBe(404)
    expect(((await missing.json()) as any).error.code).toBe('model_not_found')
  })
})

describe('unknown routes', () => {
  it('answers 404 and 405 with the OpenAI envelope', async () => {
    const missing = await fetch(`${sim.url}/v1/nope`)
    expect(missing.status).toBe(404)
    expect(((await missing.json()) as any).error.type).toBe('not_found_error')
    const wrongMethod = await fetch(`${sim.url}/v1/chat/completions`)
    expect(wrongMethod.status).toBe(405)
  })
})
