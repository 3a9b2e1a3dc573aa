/**
 * Translation tables: OpenAI chat bodies → Anthropic Messages params (system, multi-part content,
 * images, tools and tool results, max_tokens default, stop sequences, temperature), refused
 * cases with their rejection codes, and Anthropic Messages → chat.completion with usage.
 */
import { describe, expect, it } from 'bun:test'
import { anthropicRefusal, chatToMessagesParams, formatRefusal, messageToChatCompletion, parseRefusal, type AnthropicMessage } from '../../../src/providers/translate'

const OPTS = { defaultMaxTokens: 1024 }
const user = (content: unknown) => ({ role: 'user', content })
const weather = { type: 'function', function: { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }

describe('chatToMessagesParams', () => {
  const cases: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
    ['a plain user message; max_tokens defaults', { messages: [user('Hi')] }, { model: 'm', max_tokens: 1024, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] }],
    ['max_completion_tokens wins over max_tokens', { messages: [user('Hi')], max_tokens: 10, max_completion_tokens: 20 }, { max_tokens: 20 }],
    ['one system message → system string', { messages: [{ role: 'system', content: 'Be brief.' }, user('Hi')] }, { system: 'Be brief.', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] }],
    ['system + developer (text parts) → system blocks, hoisted in order', { messages: [{ role: 'system', content: 'A' }, user('Hi'), { role: 'developer', content: [{ type: 'text', text: 'B' }] }] }, { system: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B' }] }],
    ['multi-part user content with a data-URL image', { messages: [user([{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'low' } }])] }, { messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } }] }] }],
    ['an https image → url source', { messages: [user([{ type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } }])] }, { messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } }] }] }],
    ['consecutive user turns are merged', { messages: [user('a'), user('b')] }, { messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }] }],
    ['stop string → stop_sequences; temperature and top_p as given', { messages: [user('Hi')], stop: 'END', temperature: 0.3, top_p: 0.9 }, { stop_sequences: ['END'], temperature: 0.3, top_p: 0.9 }],
    ['stop list → stop_sequences; user → metadata.user_id; seed dropped', { messages: [user('Hi')], stop: ['a', 'b'], user: 'u-1', seed: 4 }, { stop_sequences: ['a', 'b'], metadata: { user_id: 'u-1' } }],
    ['function tools → input_schema; tool_choice required → any', { messages: [user('Hi')], tools: [weather], tool_choice: 'required' }, { tools: [{ name: 'get_weather', description: 'Weather by city', input_schema: weather.function.parameters }], tool_choice: { type: 'any' } }],
    ['named tool_choice → tool; parallel_tool_calls false → disable_parallel_tool_use', { messages: [user('Hi')], tools: [weather], tool_choice: { type: 'function', function: { name: 'get_weather' } }, parallel_tool_calls: false }, { tool_choice: { type: 'tool', name: 'get_weather', disable_parallel_tool_use: true } }],
    ['a tool without parameters gets an empty object schema; tool_choice none', { messages: [user('Hi')], tools: [{ type: 'function', function: { name: 'now' } }], tool_choice: 'none' }, { tools: [{ name: 'now', input_schema: { type: 'object', properties: {} } }], tool_choice: { type: 'none' } }],
    [
      'assistant tool_calls → tool_use; tool messages → one user turn of tool_result blocks',
      {
        messages: [
          user('Weather in Oslo and Rome?'),
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }, { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } }] },
          { role: 'tool', tool_call_id: 'call_1', content: '3°C' },
          { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '18°C' }] },
        ],
        tools: [weather],
      },
      {
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Weather in Oslo and Rome?' }] },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Oslo' } }, { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { city: 'Rome' } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: '3°C' }, { type: 'tool_result', tool_use_id: 'call_2', content: '18°C' }] },
        ],
      },
    ],
    ['neutral values are accepted: n 1, logprobs false, response_format text, zero penalties', { messages: [user('Hi')], n: 1, logprobs: false, response_format: { type: 'text' }, presence_penalty: 0, frequency_penalty: 0 }, { max_tokens: 1024 }],
  ]
  for (const [name, body, expected] of cases) {
    it(name, () => {
      const out = chatToMessagesParams(body, 'm', OPTS)
      if (!out.ok) throw new Error(`refused: ${out.refusal.message}`)
      expect(out.params).toMatchObject(expected)
      expect(out.params).not.toHaveProperty('seed')
    })
  }

  const refused: Array<[string, Record<string, unknown>, string]> = [
    ['n > 1', { messages: [user('Hi')], n: 3 }, 'operation_unsupported:n'],
    ['logprobs', { messages: [user('Hi')], logprobs: true }, 'operation_unsupported:logprobs'],
    ['response_format json_schema', { messages: [user('Hi')], response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {} } } }, 'operation_unsupported:response_format'],
    ['temperature above 1', { messages: [user('Hi')], temperature: 1.5 }, 'operation_unsupported:temperature'],
    ['a presence penalty', { messages: [user('Hi')], presence_penalty: 0.5 }, 'operation_unsupported:presence_penalty'],
    ['an unknown parameter', { messages: [user('Hi')], logit_bias: { '50256': -100 } }, 'operation_unsupported:logit_bias'],
    ['an SVG data URL', { messages: [user([{ type: 'image_url', image_url: { url: 'data:image/svg+xml;base64,PHN2Zz4=' } }])] }, 'operation_unsupported:image_url'],
    ['an image in a system message', { messages: [{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }, user('Hi')] }, 'operation_unsupported:messages.system.content'],
    ['a strict function tool', { messages: [user('Hi')], tools: [{ type: 'function', function: { name: 'f', strict: true, parameters: {} } }] }, 'tool_support:tools.function.strict'],
    ['a non-function tool', { messages: [user('Hi')], tools: [{ type: 'web_search' }] }, 'tool_support:tools.type'],
    ['tool call arguments that are not JSON', { messages: [user('Hi'), { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{oops' } }] }] }, 'tool_support:tool_calls.arguments'],
    ['a tool message without tool_call_id', { messages: [user('Hi'), { role: 'tool', content: 'x' }] }, 'tool_support:tool_call_id'],
    ['only system messages', { messages: [{ role: 'system', content: 'x' }] }, 'operation_unsupported:messages'],
  ]
  for (const [name, body, expected] of refused) {
    it(`refuses ${name} → ${expected}`, () => {
      const out = chatToMessagesParams(body, 'm', OPTS)
      expect(out.ok).toBe(false)
      if (!out.ok) {
        expect(formatRefusal(out.refusal)).toBe(expected)
        expect(out.refusal.message.length).toBeGreaterThan(10)
      }
    })
  }

  it('anthropicRefusal accepts unresolved input_image file parts (ingest) and reports the compact form', () => {
    expect(anthropicRefusal({ messages: [user([{ type: 'input_image', file_id: 'file_1' }])] })).toBeNull()
    const r = anthropicRefusal({ messages: [user('x')], n: 2 })
    expect(r && formatRefusal(r)).toBe('operation_unsupported:n')
    expect(parseRefusal('tool_support:tools.function.strict')).toEqual({ code: 'tool_support', feature: 'tools.function.strict' })
  })
})

describe('messageToChatCompletion', () => {
  const base: AnthropicMessage = { id: 'msg_1', model: 'claude-haiku-4-5-20251001', content: [{ type: 'text', text: 'Hello' }], stop_reason: 'end_turn', usage: { input_tokens: 12, output_tokens: 3 } }
  const cases: Array<[string, Partial<AnthropicMessage>, Record<string, unknown>]> = [
    ['text, end_turn → stop', {}, { choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' }], usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15, prompt_tokens_details: { cached_tokens: 0 } } }],
    ['max_tokens → length', { stop_reason: 'max_tokens' }, { choices: [{ finish_reason: 'length' }] }],
    ['stop_sequence → stop', { stop_reason: 'stop_sequence' }, { choices: [{ finish_reason: 'stop' }] }],
    ['refusal → content_filter', { stop_reason: 'refusal' }, { choices: [{ finish_reason: 'content_filter' }] }],
    ['several text blocks are joined; thinking is left out', { content: [{ type: 'thinking' }, { type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }, { choices: [{ message: { content: 'ab' } }] }],
    [
      'tool_use → tool_calls with JSON arguments, content null',
      { content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Oslo' } }], stop_reason: 'tool_use' },
      { choices: [{ message: { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }] }, finish_reason: 'tool_calls' }] },
    ],
    ['cache writes and reads count as input; reads also as cached', { usage: { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 20, cache_read_input_tokens: 30 } }, { usage: { prompt_tokens: 60, completion_tokens: 5, total_tokens: 65, prompt_tokens_details: { cached_tokens: 30 } } }],
  ]
  for (const [name, over, expected] of cases) {
    it(name, () => {
      const out = messageToChatCompletion({ ...base, ...over }, Date.parse('2026-03-01T00:00:00Z'))
      expect(out).toMatchObject({ id: 'msg_1', object: 'chat.completion', created: 1772323200, model: base.model, ...expected })
    })
  }
})
