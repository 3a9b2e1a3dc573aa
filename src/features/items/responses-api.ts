/**
 * `/v1/responses` lines are executed as chat completions (every lane speaks chat; the result
 * row carries a chat.completion). This converts a Responses-API body — already checked against
 * `ResponsesRequest` — into chat messages and parameters:
 *
 * - `instructions` → a leading system message; `input` string → one user message;
 *   message items keep their role (`developer` → `system`, which every chat host accepts).
 * - parts: `input_text`/`output_text` → `text`; `input_image` with `image_url` → `image_url`;
 *   `input_image` with `file_id` stays an `input_image` part, resolved to a data URL at dispatch.
 * - `max_output_tokens` → `max_tokens`; function `tools` and `tool_choice` → chat form;
 *   `text.format` → `response_format`; `reasoning.effort` → `reasoning_effort`.
 * - sampling parameters pass through; Responses-only fields (`store`, `include`, `truncation`,
 *   `background`, `metadata`, `service_tier`, …) are dropped.
 */
import type { ChatMessage } from './line-shapes'

const PASS_THROUGH = ['temperature', 'top_p', 'parallel_tool_calls', 'user', 'seed', 'stop', 'presence_penalty', 'frequency_penalty', 'top_logprobs', 'logit_bias'] as const

type Json = Record<string, unknown>

/** Chat messages and parameters equivalent to a Responses-API body. */
export function responsesToChat(body: Json): { messages: ChatMessage[]; params: Json; maxOutputTokens: number | null } {
  const messages: ChatMessage[] = []
  if (typeof body.instructions === 'string' && body.instructions !== '') messages.push({ role: 'system', content: body.instructions })
  if (typeof body.input === 'string') messages.push({ role: 'user', content: body.input })
  else for (const item of body.input as Json[]) messages.push(toChatMessage(item))

  const params: Json = {}
  for (const key of PASS_THROUGH) if (body[key] !== undefined) params[key] = body[key]
  const maxOutputTokens = typeof body.max_output_tokens === 'number' ? body.max_output_tokens : null
  if (maxOutputTokens !== null) params.max_tokens = maxOutputTokens
  if (Array.isArray(body.tools) && body.tools.length > 0) params.tools = (body.tools as Json[]).map(toChatTool)
  if (body.tool_choice !== undefined) params.tool_choice = toChatToolChoice(body.tool_choice)
  const format = (body.text as { format?: Json } | undefined)?.format
  if (format && format.type === 'json_schema') {
    const { type: _type, ...jsonSchema } = format
    params.response_format = { type: 'json_schema', json_schema: jsonSchema }
  } else if (format && format.type === 'json_object') params.response_format = { type: 'json_object' }
  const effort = (body.reasoning as { effort?: unknown } | undefined)?.effort
  if (typeof effort === 'string') params.reasoning_effort = effort
  return { messages, params, maxOutputTokens }
}

function toChatMessage(item: Json): ChatMessage {
  const role = item.role === 'developer' ? 'system' : (item.role as ChatMessage['role'])
  if (typeof item.content === 'string') return { role, content: item.content }
  const content = (item.content as Json[]).map((part) => {
    if (part.type === 'input_image') {
      const detail = part.detail === undefined ? {} : { detail: part.detail }
      return typeof part.image_url === 'string' ? { type: 'image_url', image_url: { url: part.image_url, ...detail } } : { type: 'input_image', file_id: part.file_id, ...detail }
    }
    return { type: 'text', text: part.text }
  })
  return { role, content }
}

function toChatTool(tool: Json): Json {
  const fn: Json = { name: tool.name }
  for (const key of ['description', 'parameters', 'strict'] as const) if (tool[key] !== undefined) fn[key] = tool[key]
  return { type: 'function', function: fn }
}

function toChatToolChoice(choice: unknown): unknown {
  if (typeof choice === 'object' && choice !== null && (choice as Json).type === 'function' && typeof (choice as Json).name === 'string') {
    return { type: 'function', function: { name: (choice as Json).name } }
  }
  return choice
}
