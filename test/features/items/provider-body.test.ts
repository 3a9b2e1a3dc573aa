import { afterAll, describe, expect, it } from 'bun:test'
import { toProviderRequest } from '../../../src/features/items'
import { ingestText, nativeChat, openaiChat, removeTempDirs } from './helpers'

afterAll(removeTempDirs)

const resolved: string[] = []
const resolveImage = async (fileId: string) => {
  resolved.push(fileId)
  return { dataUrl: `data:image/png;base64,${fileId}` }
}

/** Ingests one line (so the draft is what dispatch would hold) and builds its request. */
async function build(line: Record<string, unknown>, upstream = 'up-model') {
  const { items, problems } = await ingestText([line])
  expect(problems).toEqual([])
  return toProviderRequest('item_1', items[0]!, line, upstream, resolveImage)
}

describe('toProviderRequest', () => {
  it('native responses: messages plus chat parameters, without model or stream', async () => {
    const line = nativeChat('a', { max_tokens: 20, temperature: 0.3, top_p: 0.9, stop: ['\n'], seed: 7, response_format: { type: 'json_object' }, tools: [{ type: 'function', function: { name: 'f', parameters: {} } }], tool_choice: 'auto', stream: false })
    const req = await build(line)
    expect(req).toEqual({
      itemId: 'item_1',
      operation: 'responses',
      url: '/v1/chat/completions',
      model: 'up-model',
      body: { messages: [{ role: 'user', content: 'Hello a' }], max_tokens: 20, temperature: 0.3, top_p: 0.9, stop: ['\n'], seed: 7, response_format: { type: 'json_object' }, tools: [{ type: 'function', function: { name: 'f', parameters: {} } }], tool_choice: 'auto' },
    })
  })

  it('native embeddings: input and options as given', async () => {
    const req = await build({ customer_item_id: 'e', operation: 'embeddings', model: 'text-embedding-3-small', input: { input: ['a', 'b'], dimensions: 256, encoding_format: 'float' } })
    expect(req).toMatchObject({ operation: 'embeddings', url: '/v1/embeddings', body: { input: ['a', 'b'], dimensions: 256, encoding_format: 'float' } })
  })

  it('native vision: input_image parts become image_url data URLs, each file resolved once', async () => {
    resolved.length = 0
    const line = {
      customer_item_id: 'v',
      operation: 'vision',
      model: 'gpt-4o',
      input: { messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: [{ type: 'text', text: 'compare' }, { type: 'input_image', file_id: 'file_A', detail: 'low' }, { type: 'input_image', file_id: 'file_A' }, { type: 'image_url', image_url: { url: 'data:image/gif;base64,R0' } }] }] },
    }
    const req = await build(line)
    expect(req.operation).toBe('vision')
    expect(req.body.messages).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'user', content: [{ type: 'text', text: 'compare' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,file_A', detail: 'low' } }, { type: 'image_url', image_url: { url: 'data:image/png;base64,file_A' } }, { type: 'image_url', image_url: { url: 'data:image/gif;base64,R0' } }] },
    ])
    expect(resolved).toEqual(['file_A'])
    expect(line.input.messages[1]!.content[1]).toEqual({ type: 'input_image', file_id: 'file_A', detail: 'low' }) // the line is not mutated
  })

  it('OpenAI chat line: the body minus model and stream_options', async () => {
    const req = await build(openaiChat('c', { max_completion_tokens: 5, stream_options: { include_usage: true }, logprobs: true }))
    expect(req).toEqual({ itemId: 'item_1', operation: 'responses', url: '/v1/chat/completions', model: 'up-model', body: { messages: [{ role: 'user', content: 'Hi c' }], max_completion_tokens: 5, logprobs: true } })
  })

  it('OpenAI chat line with an image URL is vision and passes the URL through', async () => {
    const req = await build(openaiChat('i', { model: 'gpt-4o', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }] }))
    expect(req.operation).toBe('vision')
    expect(req.body.messages).toEqual([{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }])
  })

  it('OpenAI chat line with an input_image part: the file is resolved to a data URL (not passed through)', async () => {
    resolved.length = 0
    const req = await build(openaiChat('f', { model: 'gpt-4o', stream: false, messages: [{ role: 'user', content: [{ type: 'text', text: 'see' }, { type: 'input_image', file_id: 'file_C' }] }] }))
    expect(req.operation).toBe('vision')
    expect(req.body).toEqual({ messages: [{ role: 'user', content: [{ type: 'text', text: 'see' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,file_C' } }] }] })
    expect(resolved).toEqual(['file_C'])
  })

  it('OpenAI embeddings line', async () => {
    const req = await build({ custom_id: 'e', method: 'POST', url: '/v1/embeddings', body: { model: 'text-embedding-3-small', input: 'hello', user: 'u1' } })
    expect(req).toEqual({ itemId: 'item_1', operation: 'embeddings', url: '/v1/embeddings', model: 'up-model', body: { input: 'hello', user: 'u1' } })
  })

  it('OpenAI responses line (string input) becomes a chat body', async () => {
    const req = await build({ custom_id: 'r', method: 'POST', url: '/v1/responses', body: { model: 'gpt-4o-mini', instructions: 'Be brief.', input: 'Hello', max_output_tokens: 64, temperature: 0, store: true, metadata: { a: '1' } } })
    expect(req).toEqual({ itemId: 'item_1', operation: 'responses', url: '/v1/responses', model: 'up-model', body: { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello' }], max_tokens: 64, temperature: 0 } })
  })

  it('OpenAI responses line (message list, tools, images, text format) becomes a chat body', async () => {
    resolved.length = 0
    const req = await build({
      custom_id: 'r2',
      method: 'POST',
      url: '/v1/responses',
      body: {
        model: 'gpt-4o',
        input: [
          { role: 'developer', content: 'rules' },
          { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'look' }, { type: 'input_image', file_id: 'file_B' }, { type: 'input_image', image_url: 'https://x/y.png', detail: 'high' }] },
          { role: 'assistant', content: [{ type: 'output_text', text: 'ok' }] },
        ],
        tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object' }, strict: true }],
        tool_choice: { type: 'function', name: 'lookup' },
        text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true } },
        reasoning: { effort: 'low' },
      },
    })
    expect(req.operation).toBe('vision')
    expect(req.url).toBe('/v1/responses')
    expect(req.body).toEqual({
      messages: [
        { role: 'system', content: 'rules' },
        { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,file_B' } }, { type: 'image_url', image_url: { url: 'https://x/y.png', detail: 'high' } }] },
        { role: 'assistant', content: [{ type: 'text', text: 'ok' }] },
      ],
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' }, strict: true } }],
      tool_choice: { type: 'function', function: { name: 'lookup' } },
      response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' }, strict: true } },
      reasoning_effort: 'low',
    })
    expect(resolved).toEqual(['file_B'])
  })

  it('throws when the line no longer validates', async () => {
    await expect(toProviderRequest('item_1', { operation: 'responses', url: '/v1/chat/completions', model: 'gpt-4o-mini' }, { foo: 1 }, 'm', resolveImage)).rejects.toThrow(/item_1/)
  })
})
