/**
 * The chat.completion → Responses object translator used for `/v1/responses` lines of OpenAI
 * output files: a table of chat completions and the response each must become, plus a check
 * that the result has every field the `openai` SDK's Response type requires.
 */
import { describe, expect, it } from 'bun:test'
import type OpenAI from 'openai'
import { chatCompletionToResponse, isChatCompletion, type ChatCompletionLike } from '../../src/features/batches/responses-shape'

const usage = { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 }
const chat = (message: Record<string, unknown>, finish_reason = 'stop', extra: Partial<ChatCompletionLike> = {}): ChatCompletionLike => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1_767_225_600,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, finish_reason, message: { role: 'assistant', ...message } }],
  usage,
  ...extra,
})

const cases: { name: string; chat: ChatCompletionLike; request?: Record<string, unknown>; expect: Record<string, unknown> }[] = [
  {
    name: 'plain text → one completed message with an output_text part',
    chat: chat({ content: 'Hello there.' }),
    expect: {
      status: 'completed',
      incomplete_details: null,
      output: [{ type: 'message', id: 'msg_abc', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hello there.', annotations: [] }] }],
      usage: { input_tokens: 12, input_tokens_details: { cached_tokens: 0 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 17 },
    },
  },
  {
    name: 'tool calls → function_call items (no empty message)',
    chat: chat({ content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }, { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } }] }, 'tool_calls'),
    expect: {
      status: 'completed',
      output: [
        { type: 'function_call', id: 'fc_abc_0', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}', status: 'completed' },
        { type: 'function_call', id: 'fc_abc_1', call_id: 'call_2', name: 'get_time', arguments: '{}', status: 'completed' },
      ],
    },
  },
  {
    name: 'text and a tool call → message first, then the function_call',
    chat: chat({ content: 'Let me check.', tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'lookup', arguments: '{"q":1}' } }] }, 'tool_calls'),
    expect: {
      output: [
        { type: 'message', id: 'msg_abc', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Let me check.', annotations: [] }] },
        { type: 'function_call', id: 'fc_abc_0', call_id: 'call_9', name: 'lookup', arguments: '{"q":1}', status: 'completed' },
      ],
    },
  },
  {
    name: 'finish_reason length → incomplete, reason max_output_tokens',
    chat: chat({ content: 'Cut of' }, 'length'),
    expect: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, completed_at: null, output: [{ type: 'message', id: 'msg_abc', status: 'incomplete', role: 'assistant', content: [{ type: 'output_text', text: 'Cut of', annotations: [] }] }] },
  },
  {
    name: 'finish_reason content_filter → incomplete, reason content_filter',
    chat: chat({ content: '' }, 'content_filter'),
    expect: { status: 'incomplete', incomplete_details: { reason: 'content_filter' } },
  },
  {
    name: 'a refusal → a refusal part',
    chat: chat({ content: null, refusal: 'I cannot help with that.' }),
    expect: { output: [{ type: 'message', id: 'msg_abc', status: 'completed', role: 'assistant', content: [{ type: 'refusal', refusal: 'I cannot help with that.' }] }] },
  },
  {
    name: 'cached and reasoning token details are carried over',
    chat: chat({ content: 'ok' }, 'stop', { usage: { prompt_tokens: 100, completion_tokens: 40, total_tokens: 140, prompt_tokens_details: { cached_tokens: 64 }, completion_tokens_details: { reasoning_tokens: 32 } } }),
    expect: { usage: { input_tokens: 100, input_tokens_details: { cached_tokens: 64 }, output_tokens: 40, output_tokens_details: { reasoning_tokens: 32 }, total_tokens: 140 } },
  },
  {
    name: 'content given as parts → their text joined',
    chat: chat({ content: [{ type: 'text', text: 'Hello, ' }, { type: 'text', text: 'world.' }] }),
    expect: { output: [{ type: 'message', id: 'msg_abc', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hello, world.', annotations: [] }] }] },
  },
  {
    name: 'request fields are echoed (instructions, tools, sampling, metadata, max_output_tokens)',
    chat: chat({ content: 'Hi' }),
    request: {
      model: 'gpt-4o-mini',
      instructions: 'Be brief.',
      input: 'Hi?',
      max_output_tokens: 50,
      temperature: 0.2,
      top_p: 0.9,
      metadata: { team: 'a' },
      tools: [{ type: 'function', name: 'f', parameters: { type: 'object', properties: {} }, strict: false }],
      tool_choice: 'required',
      parallel_tool_calls: false,
      reasoning: { effort: 'low' },
      user: 'u-1',
    },
    expect: {
      instructions: 'Be brief.',
      max_output_tokens: 50,
      temperature: 0.2,
      top_p: 0.9,
      metadata: { team: 'a' },
      tools: [{ type: 'function', name: 'f', parameters: { type: 'object', properties: {} }, strict: false }],
      tool_choice: 'required',
      parallel_tool_calls: false,
      reasoning: { effort: 'low', summary: null },
      user: 'u-1',
    },
  },
  {
    name: 'no request → the defaults OpenAI reports',
    chat: chat({ content: 'Hi' }),
    expect: { instructions: null, max_output_tokens: null, temperature: 1, top_p: 1, metadata: {}, tools: [], tool_choice: 'auto', parallel_tool_calls: true, text: { format: { type: 'text' } }, truncation: 'disabled', error: null },
  },
]

describe('chatCompletionToResponse', () => {
  for (const c of cases) {
    it(c.name, () => {
      const response = chatCompletionToResponse(c.chat, { id: 'resp_abc', request: c.request, completedAt: 1_767_225_601 })
      expect(response).toMatchObject({ id: 'resp_abc', object: 'response', created_at: 1_767_225_600, model: 'gpt-4o-mini', ...c.expect })
    })
  }

  it('stamps completed_at on completed responses and is deterministic', () => {
    const a = chatCompletionToResponse(chat({ content: 'x' }), { id: 'resp_1', completedAt: 1_767_225_601 })
    expect(a.completed_at).toBe(1_767_225_601)
    expect(chatCompletionToResponse(chat({ content: 'x' }), { id: 'resp_1', completedAt: 1_767_225_601 })).toEqual(a)
  })

  it('carries every field the SDK Response type requires (apart from the SDK-computed output_text)', () => {
    const response = JSON.parse(JSON.stringify(chatCompletionToResponse(chat({ content: 'x' }), { id: 'resp_1' })))
    const required: (keyof OpenAI.Responses.Response)[] = ['id', 'created_at', 'error', 'incomplete_details', 'instructions', 'metadata', 'model', 'object', 'output', 'parallel_tool_calls', 'temperature', 'tool_choice', 'tools', 'top_p']
    for (const key of required) expect(response).toHaveProperty(key)
  })

  it('recognises chat completions only', () => {
    expect(isChatCompletion(chat({ content: 'x' }))).toBe(true)
    expect(isChatCompletion({ object: 'list', data: [] })).toBe(false)
    expect(isChatCompletion(null)).toBe(false)
  })
})
