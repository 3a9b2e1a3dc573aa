import { afterAll, describe, expect, it } from 'bun:test'
import { countTokens } from '../../../src/lib/tokens'
import { MAX_LISTED_PROBLEMS } from '../../../src/features/items'
import { ingestText, nativeChat, openaiChat, removeTempDirs } from './helpers'

afterAll(removeTempDirs)

const IMAGE = { type: 'input_image', file_id: 'file_img1' }

interface Scenario {
  name: string
  lines: unknown[] | string
  opts?: { endpoint?: string; maxItems?: number; lineBytes?: number }
  /** Expected problems (line, code, and param when given), in order. */
  problems: Array<{ line: number | null; code: string; param?: string; message?: RegExp }>
}

const scenarios: Scenario[] = [
  { name: 'invalid_json: not JSON', lines: [nativeChat('a'), '{"nope"'], problems: [{ line: 2, code: 'invalid_json', message: /not valid JSON/ }] },
  { name: 'invalid_json: not an object', lines: ['[1,2]', '"str"', nativeChat('a')], problems: [{ line: 1, code: 'invalid_json' }, { line: 2, code: 'invalid_json' }] },
  { name: 'invalid_json: interior blank line', lines: `${JSON.stringify(nativeChat('a'))}\n\n  \n${JSON.stringify(nativeChat('b'))}\n\n\n`, problems: [{ line: 2, code: 'invalid_json', message: /blank/ }, { line: 3, code: 'invalid_json' }] },
  { name: 'invalid_json: line over lineBytes', lines: [nativeChat('a'), nativeChat('b', { temperature: 0.1, stop: ['x'.repeat(300)] })], opts: { lineBytes: 200 }, problems: [{ line: 2, code: 'invalid_json', message: /200-byte line limit/ }] },
  { name: 'invalid_item: neither shape', lines: [{ foo: 1 }], problems: [{ line: 1, code: 'invalid_item', message: /neither/ }] },
  { name: 'invalid_item: native without input.messages', lines: [{ customer_item_id: 'a', operation: 'responses', model: 'gpt-4o-mini', input: {} }], problems: [{ line: 1, code: 'invalid_item', param: 'input.messages' }] },
  { name: 'invalid_item: native without operation', lines: [{ customer_item_id: 'a', model: 'gpt-4o-mini', input: {} }], problems: [{ line: 1, code: 'invalid_item', param: 'operation' }] },
  { name: 'invalid_item: ill-typed content', lines: [{ customer_item_id: 'a', operation: 'responses', model: 'gpt-4o-mini', input: { messages: [{ role: 'user', content: 5 }] } }], problems: [{ line: 1, code: 'invalid_item', param: 'input.messages[0].content' }] },
  { name: 'invalid_item: unknown content block', lines: [{ customer_item_id: 'a', operation: 'responses', model: 'gpt-4o-mini', input: { messages: [{ role: 'user', content: [{ type: 'audio' }] }] } }], problems: [{ line: 1, code: 'invalid_item', param: 'input.messages[0].content[0].type' }] },
  { name: 'invalid_item: input_image without file_id', lines: [{ customer_item_id: 'a', operation: 'vision', model: 'gpt-4o-mini', input: { messages: [{ role: 'user', content: [{ type: 'input_image' }] }] } }], problems: [{ line: 1, code: 'invalid_item', param: 'input.messages[0].content[0].file_id' }] },
  { name: 'invalid_item: OpenAI body without model', lines: [{ custom_id: 'a', method: 'POST', url: '/v1/chat/completions', body: { messages: [] } }], problems: [{ line: 1, code: 'invalid_item', param: 'body.model' }] },
  { name: 'invalid_item: empty embeddings list', lines: [{ customer_item_id: 'a', operation: 'embeddings', model: 'text-embedding-3-small', input: { input: [] } }], problems: [{ line: 1, code: 'invalid_item', param: 'input.input' }] },
  { name: 'invalid_item: vision without an image', lines: [{ ...nativeChat('a'), operation: 'vision' }], problems: [{ line: 1, code: 'invalid_item', param: 'input.messages' }] },
  { name: 'invalid_item: responses with images', lines: [{ customer_item_id: 'a', operation: 'responses', model: 'gpt-4o', input: { messages: [{ role: 'user', content: [IMAGE] }] } }], problems: [{ line: 1, code: 'invalid_item', param: 'operation' }] },
  { name: 'invalid_item: native image_url not a data URL', lines: [{ customer_item_id: 'a', operation: 'vision', model: 'gpt-4o', input: { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }] } }], problems: [{ line: 1, code: 'invalid_item', param: 'input.messages[0].content[0].image_url.url' }] },
  { name: 'invalid_item: max_tokens over the model cap', lines: [nativeChat('a', { max_tokens: 100_000 })], problems: [{ line: 1, code: 'invalid_item', param: 'input.max_tokens' }] },
  { name: 'invalid_item: hosted tool on a responses line', lines: [{ custom_id: 'a', method: 'POST', url: '/v1/responses', body: { model: 'gpt-4o', input: 'hi', tools: [{ type: 'web_search' }] } }], problems: [{ line: 1, code: 'invalid_item', param: 'body.tools[0].type' }] },
  { name: 'invalid_item: previous_response_id', lines: [{ custom_id: 'a', method: 'POST', url: '/v1/responses', body: { model: 'gpt-4o', input: 'hi', previous_response_id: 'resp_1' } }], problems: [{ line: 1, code: 'invalid_item', param: 'body.previous_response_id' }] },
  { name: 'unknown_model lists valid slugs', lines: [nativeChat('a'), { ...nativeChat('b'), model: 'gpt-9' }], problems: [{ line: 2, code: 'unknown_model', param: 'model', message: /gpt-4o-mini/ }] },
  { name: 'unknown_model on an OpenAI line', lines: [openaiChat('a', { model: 'nope' })], problems: [{ line: 1, code: 'unknown_model', param: 'body.model' }] },
  { name: 'operation_unsupported: embeddings on a chat model', lines: [{ customer_item_id: 'a', operation: 'embeddings', model: 'gpt-4o-mini', input: { input: 'x' } }], problems: [{ line: 1, code: 'operation_unsupported', param: 'operation' }] },
  { name: 'operation_unsupported: images to a text-only model', lines: [openaiChat('a', { model: 'llama-3.1-8b-instruct', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }] })], problems: [{ line: 1, code: 'operation_unsupported', message: /images/ }] },
  { name: 'duplicate_customer_item_id points at the later line', lines: [nativeChat('a'), nativeChat('b'), openaiChat('a')], problems: [{ line: 3, code: 'duplicate_customer_item_id', param: 'custom_id', message: /line 1/ }] },
  { name: 'customer_item_id_invalid: empty and too long', lines: [nativeChat(''), openaiChat('x'.repeat(513)), nativeChat('y'.repeat(512))], problems: [{ line: 1, code: 'customer_item_id_invalid', param: 'customer_item_id' }, { line: 2, code: 'customer_item_id_invalid', param: 'custom_id' }] },
  { name: 'stream_not_supported', lines: [nativeChat('a', { stream: true }), openaiChat('b', { stream: true })], problems: [{ line: 1, code: 'stream_not_supported', param: 'input.stream' }, { line: 2, code: 'stream_not_supported', param: 'body.stream' }] },
  {
    name: 'endpoint_mismatch: url ≠ endpoint, bad url, bad method',
    lines: [openaiChat('a'), { ...openaiChat('b'), url: '/v1/embeddings' }, { ...openaiChat('c'), url: '/v1/completions' }, { ...openaiChat('d'), method: 'GET' }, nativeChat('e')],
    opts: { endpoint: '/v1/chat/completions' },
    problems: [{ line: 2, code: 'endpoint_mismatch', param: 'url' }, { line: 3, code: 'endpoint_mismatch', param: 'url' }, { line: 4, code: 'endpoint_mismatch', param: 'method' }],
  },
  { name: 'context_window_exceeded: embeddings text over the limit', lines: [{ customer_item_id: 'a', operation: 'embeddings', model: 'text-embedding-3-small', input: { input: ['ok', 'word '.repeat(9000)] } }], problems: [{ line: 1, code: 'context_window_exceeded', param: 'input.input', message: /counted/ }] },
  { name: 'context_window_exceeded: input plus max_tokens', lines: [{ ...nativeChat('a', { max_tokens: 8000 }), model: 'claude-3-5-haiku', input: { messages: [{ role: 'user', content: 'x'.repeat(780_000) }], max_tokens: 8000 } }], problems: [{ line: 1, code: 'context_window_exceeded', param: 'input.messages', message: /estimated/ }] },
  { name: 'too_many_items is reported once', lines: [nativeChat('a'), nativeChat('b'), nativeChat('c'), nativeChat('d')], opts: { maxItems: 2 }, problems: [{ line: 3, code: 'too_many_items', message: /4 items.*at most 2/ }] },
  { name: 'empty_input: empty file', lines: '', problems: [{ line: null, code: 'empty_input' }] },
  { name: 'empty_input: only blank lines', lines: '\n\n \n', problems: [{ line: null, code: 'empty_input' }] },
]

describe('ingestJsonlFile problems', () => {
  it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, s) => {
    const result = await ingestText(s.lines, s.opts)
    expect(result.problems.map((p) => ({ line: p.line, code: p.code, ...(s.problems.some((e) => e.param) ? { param: p.param } : {}) }))).toEqual(
      s.problems.map((e) => ({ line: e.line, code: e.code, ...(s.problems.some((x) => x.param) ? { param: e.param } : {}) })),
    )
    expect(result.problemCount).toBe(s.problems.length)
    for (const [i, e] of s.problems.entries()) if (e.message) expect(result.problems[i]!.message).toMatch(e.message)
  })

  it('names the item in problems once the id is valid', async () => {
    const { problems } = await ingestText([{ ...nativeChat('item-7'), model: 'nope' }])
    expect(problems[0]).toMatchObject({ line: 1, item: 'item-7', code: 'unknown_model' })
  })

  it('reports independent problems of one line together', async () => {
    const { problems } = await ingestText([nativeChat('a'), { ...openaiChat('a', { stream: true }), method: 'PUT' }], { endpoint: '/v1/chat/completions' })
    expect(problems.map((p) => p.code)).toEqual(['duplicate_customer_item_id', 'stream_not_supported', 'endpoint_mismatch'])
  })

  it(`lists at most ${MAX_LISTED_PROBLEMS} problems and counts them all`, async () => {
    const lines = Array.from({ length: 150 }, (_, i) => ({ ...nativeChat(`i${i}`), model: 'nope' }))
    const result = await ingestText(lines)
    expect(result.problems).toHaveLength(MAX_LISTED_PROBLEMS)
    expect(result.problemCount).toBe(150)
    expect(result.problems[99]!.line).toBe(100)
    expect(result.lineCount).toBe(150)
  })

  it('keeps too_many_items listed even when the list is full', async () => {
    const lines = Array.from({ length: 130 }, (_, i) => ({ ...nativeChat(`i${i}`), model: 'nope' }))
    const result = await ingestText(lines, { maxItems: 120 })
    expect(result.problems).toHaveLength(MAX_LISTED_PROBLEMS)
    expect(result.problems[MAX_LISTED_PROBLEMS - 1]).toMatchObject({ line: 121, code: 'too_many_items' })
    expect(result.problemCount).toBe(131)
  })
})

describe('ingestJsonlFile items', () => {
  it('accepts mixed shapes, resolves aliases and derives operation, url and estimates', async () => {
    const lines = [
      nativeChat('n-chat', { max_tokens: 50, tools: [{ type: 'function', function: { name: 'f', parameters: {} } }] }),
      { ...nativeChat('n-alias'), model: 'gpt-4o-2024-08-06' },
      { customer_item_id: 'n-emb', operation: 'embeddings', model: 'nomic-embed-text-v1.5', input: { input: ['a', 'bb'] } },
      { customer_item_id: 'n-vis', operation: 'vision', model: 'claude-haiku-4-5', input: { messages: [{ role: 'user', content: [{ type: 'text', text: 'what?' }, IMAGE, { type: 'input_image', file_id: 'file_img2' }, IMAGE] }] } },
      openaiChat('o-chat', { max_completion_tokens: 70 }),
      openaiChat('o-vis', { model: 'gpt-4o', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }] }),
      { custom_id: 'o-emb', method: 'POST', url: '/v1/embeddings', body: { model: 'text-embedding-3-small', input: 'hello' } },
      { custom_id: 'o-resp', method: 'POST', url: '/v1/responses', body: { model: 'gpt-4.1-mini-2025-04-14', input: 'hello', instructions: 'be brief', max_output_tokens: 99 } },
    ]
    const result = await ingestText(lines)
    expect(result.problems).toEqual([])
    expect(result.lineCount).toBe(8)
    const byId = Object.fromEntries(result.items.map((d) => [d.customerItemId, d]))
    expect(result.items.map((d) => d.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    expect(byId['n-chat']).toMatchObject({ line: 1, model: 'gpt-4o-mini', operation: 'responses', url: '/v1/chat/completions', estOutputTokens: 50, needsTools: true, imageFileIds: [] })
    expect(byId['n-alias']).toMatchObject({ model: 'gpt-4o', estOutputTokens: 1024, needsTools: false })
    expect(byId['n-emb']).toMatchObject({ model: 'nomic-embed-text', operation: 'embeddings', url: '/v1/embeddings', estInputTokens: 2, estOutputTokens: 0 })
    expect(byId['n-vis']).toMatchObject({ operation: 'vision', imageFileIds: ['file_img1', 'file_img2'] })
    expect(byId['n-vis']!.estInputTokens).toBeGreaterThan(2 * 765)
    expect(byId['o-chat']).toMatchObject({ operation: 'responses', estOutputTokens: 70 })
    expect(byId['o-vis']).toMatchObject({ model: 'gpt-4o', operation: 'vision', imageFileIds: [] })
    expect(byId['o-emb']).toMatchObject({ operation: 'embeddings', url: '/v1/embeddings' })
    expect(byId['o-resp']).toMatchObject({ model: 'gpt-4.1-mini', operation: 'responses', url: '/v1/responses', estOutputTokens: 99 })
  })

  it('records exact byte ranges for lines with multi-byte text', async () => {
    const lines = [nativeChat('a'), { ...nativeChat('b'), input: { messages: [{ role: 'user', content: 'Grüße aus 東京 😀' }] } }, nativeChat('c')]
    const text = lines.map((l) => JSON.stringify(l)).join('\n') + '\n'
    const result = await ingestText(text)
    const bytes = new TextEncoder().encode(text)
    for (const [i, d] of result.items.entries()) {
      expect(JSON.parse(new TextDecoder().decode(bytes.subarray(d.offset, d.offset + d.length)))).toEqual(lines[i])
    }
  })

  it('tolerates a UTF-8 BOM and CRLF line endings', async () => {
    const result = await ingestText(`\uFEFF${JSON.stringify(nativeChat('a'))}\r\n${JSON.stringify(nativeChat('b'))}\r\n`)
    expect(result.problems).toEqual([])
    expect(result.items).toHaveLength(2)
    expect(result.items[0]!.offset).toBe(0)
  })

  it('counts exactly with exactTokens for OpenAI encodings only', async () => {
    const content = 'The router quotes every batch before it reserves credit. '.repeat(40)
    const line = (model: string) => ({ customer_item_id: model, operation: 'responses', model, input: { messages: [{ role: 'user', content }] } })
    const estimate = await ingestText([line('gpt-4o-mini'), line('claude-haiku-4-5')])
    const exact = await ingestText([line('gpt-4o-mini'), line('claude-haiku-4-5')], { exactTokens: true })
    const exactContent = countTokens(content, 'o200k_base', true)
    expect(exact.items[0]!.estInputTokens).toBe(3 + 3 + 1 + exactContent) // priming + overhead + role "user" + content
    expect(estimate.items[0]!.estInputTokens).toBe(3 + 3 + 1 + Math.ceil(content.length / 4))
    expect(estimate.items[0]!.estInputTokens).toBeGreaterThan(exact.items[0]!.estInputTokens)
    expect(exact.items[1]!.estInputTokens).toBe(estimate.items[1]!.estInputTokens)
  })

  it('recounts exactly near the context window instead of refusing on the estimate', async () => {
    const text = ' hello'.repeat(6000) // estimate 9000 > 8191, exact ≈ 6000
    const ok = await ingestText([{ customer_item_id: 'a', operation: 'embeddings', model: 'text-embedding-3-small', input: { input: text } }])
    expect(ok.problems).toEqual([])
    expect(ok.items[0]!.estInputTokens).toBe(countTokens(text, 'cl100k_base', true))
    const refused = await ingestText([{ customer_item_id: 'a', operation: 'embeddings', model: 'nomic-embed-text', input: { input: text } }])
    expect(refused.problems.map((p) => p.code)).toEqual(['context_window_exceeded'])
  })
})
