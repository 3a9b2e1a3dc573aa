/**
 * OpenAI chat-completions body → Anthropic Messages params (research §B.2, §F). Pure. What has
 * no faithful Anthropic equivalent is refused with a closed reason instead of being dropped:
 * routing reports it as `tool_support` (tool features) or `operation_unsupported` (the rest) at
 * quote time, so an item is never silently changed on its way to Claude.
 *
 * Mapping: system/developer messages → top-level `system` (hoisted, in order); user content
 * parts → text / image blocks (data: URLs → base64 source, http(s) → url source); assistant
 * `tool_calls` → `tool_use` blocks; `tool` messages → `tool_result` blocks in a user turn;
 * consecutive same-role turns merged; `max_completion_tokens`/`max_tokens` → `max_tokens`
 * (default `defaultMaxTokens`); `stop` → `stop_sequences`; `temperature` (≤ 1) and `top_p` as
 * given; function tools → `{name, description, input_schema}`; `tool_choice` auto/none/required/
 * named → auto/none/any/tool, `parallel_tool_calls:false` → `disable_parallel_tool_use`;
 * `user` → `metadata.user_id`.
 */
import { asContentParts, imageBlock, refusal, type Block, type Json, type Refusal } from './content'

/** Parameters that are dropped because they change nothing Anthropic would do differently. */
const IGNORED = new Set(['stream', 'stream_options', 'seed', 'store', 'metadata', 'service_tier', 'model'])
/** Parameters translated below. */
const HANDLED = new Set(['messages', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'stop', 'tools', 'tool_choice', 'parallel_tool_calls', 'user', 'n', 'logprobs', 'response_format', 'frequency_penalty', 'presence_penalty'])

export interface TranslateOptions {
  /** `max_tokens` when the body names none (Anthropic requires one). */
  defaultMaxTokens: number
  /** Accept unresolved `input_image` file parts (ingest-time check; dispatch resolves them first). */
  allowFileImages?: boolean
}

export type Translated = { ok: true; params: Json } | { ok: false; refusal: Refusal }

type Turn = { role: 'user' | 'assistant'; content: Block[] }

/** Translates `body` (chat params + `messages`) for `model`; never throws. */
export function chatToMessagesParams(body: Json, model: string, opts: TranslateOptions): Translated {
  try {
    return { ok: true, params: translate(body, model, opts) }
  } catch (err) {
    if (err instanceof RefusalError) return { ok: false, refusal: err.refusal }
    throw err
  }
}

class RefusalError extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.message)
  }
}

function refuse(code: Refusal['code'], feature: string, message: string): never {
  throw new RefusalError(refusal(code, feature, message))
}

function translate(body: Json, model: string, opts: TranslateOptions): Json {
  for (const key of Object.keys(body)) {
    if (!IGNORED.has(key) && !HANDLED.has(key) && body[key] !== undefined && body[key] !== null) refuse('operation_unsupported', key, `Anthropic has no equivalent of the chat parameter '${key}'.`)
  }
  checkNeutral(body)
  const { system, turns } = translateMessages(body.messages, opts)
  const params: Json = { model, max_tokens: maxTokens(body, opts.defaultMaxTokens), messages: turns }
  if (system.length === 1) params.system = system[0]!.text
  else if (system.length > 1) params.system = system
  if (typeof body.temperature === 'number') {
    if (body.temperature > 1) refuse('operation_unsupported', 'temperature', `temperature ${body.temperature} is above Anthropic's maximum of 1.`)
    params.temperature = body.temperature
  }
  if (typeof body.top_p === 'number') params.top_p = body.top_p
  if (typeof body.stop === 'string') params.stop_sequences = [body.stop]
  else if (Array.isArray(body.stop) && body.stop.length > 0) params.stop_sequences = body.stop
  if (typeof body.user === 'string') params.metadata = { user_id: body.user }
  const tools = translateTools(body.tools)
  if (tools) params.tools = tools
  const choice = translateToolChoice(body.tool_choice, body.parallel_tool_calls, tools !== undefined)
  if (choice) params.tool_choice = choice
  return params
}

/** Parameters accepted only at their neutral value. */
function checkNeutral(body: Json): void {
  if (body.n !== undefined && body.n !== null && body.n !== 1) refuse('operation_unsupported', 'n', 'Anthropic returns one choice per request; n must be 1.')
  if (body.logprobs === true) refuse('operation_unsupported', 'logprobs', 'Anthropic does not return log probabilities.')
  const format = body.response_format as Json | undefined
  if (format && format.type !== 'text') refuse('operation_unsupported', 'response_format', `response_format ${String(format.type)} has no Anthropic equivalent.`)
  for (const key of ['frequency_penalty', 'presence_penalty'] as const) {
    if (typeof body[key] === 'number' && body[key] !== 0) refuse('operation_unsupported', key, `Anthropic has no ${key}.`)
  }
}

function maxTokens(body: Json, fallback: number): number {
  const given = body.max_completion_tokens ?? body.max_tokens
  return typeof given === 'number' && given > 0 ? given : fallback
}

function translateMessages(messages: unknown, opts: TranslateOptions): { system: { type: 'text'; text: string }[]; turns: Turn[] } {
  if (!Array.isArray(messages) || messages.length === 0) refuse('operation_unsupported', 'messages', 'A request needs at least one message.')
  const system: { type: 'text'; text: string }[] = []
  const turns: Turn[] = []
  const push = (role: Turn['role'], content: Block[]) => {
    if (content.length === 0) return
    const last = turns[turns.length - 1]
    if (last && last.role === role) last.content.push(...content)
    else turns.push({ role, content })
  }
  for (const raw of messages as Json[]) {
    const role = raw.role
    if (role === 'system' || role === 'developer') {
      const text = systemText(raw.content)
      if (text !== '') system.push({ type: 'text', text })
    } else if (role === 'user') push('user', userBlocks(raw.content, opts))
    else if (role === 'assistant') push('assistant', assistantBlocks(raw))
    else if (role === 'tool') push('user', [toolResult(raw)])
    else refuse('operation_unsupported', 'messages.role', `Message role '${String(role)}' has no Anthropic equivalent.`)
  }
  if (turns.length === 0) refuse('operation_unsupported', 'messages', 'The request has no user or assistant content to send.')
  return { system, turns }
}

function systemText(content: unknown): string {
  const parts = asContentParts(content)
  if (parts.some((p) => p.type !== 'text')) refuse('operation_unsupported', 'messages.system.content', 'Anthropic system prompts hold text only.')
  return parts.map((p) => String(p.text)).join('\n')
}

function userBlocks(content: unknown, opts: TranslateOptions): Block[] {
  return asContentParts(content).flatMap((part): Block[] => {
    if (part.type === 'text') return part.text === '' ? [] : [{ type: 'text', text: String(part.text) }]
    if (part.type === 'image_url') {
      const image = imageBlock(String((part.image_url as Json | undefined)?.url ?? ''))
      if (!image.ok) throw new RefusalError(image.refusal)
      return [image.block]
    }
    if (part.type === 'input_image' && opts.allowFileImages) return [{ type: 'image', source: { type: 'file', file_id: String(part.file_id) } }]
    return refuse('operation_unsupported', `content.${String(part.type)}`, `Content parts of type '${String(part.type)}' cannot be sent to Anthropic.`)
  })
}

function assistantBlocks(message: Json): Block[] {
  const blocks: Block[] = asContentParts(message.content).flatMap((part): Block[] => {
    if (part.type !== 'text') return refuse('operation_unsupported', `content.${String(part.type)}`, 'Assistant turns hold text only.')
    return part.text === '' ? [] : [{ type: 'text', text: String(part.text) }]
  })
  for (const call of (message.tool_calls as Json[] | undefined) ?? []) {
    const fn = call.function as Json | undefined
    if (call.type !== 'function' || !fn || typeof fn.name !== 'string' || typeof call.id !== 'string') refuse('tool_support', 'tool_calls', 'Only function tool calls with an id and a name can be sent to Anthropic.')
    let input: unknown
    try {
      input = JSON.parse(typeof fn.arguments === 'string' && fn.arguments !== '' ? fn.arguments : '{}')
    } catch {
      refuse('tool_support', 'tool_calls.arguments', 'Tool call arguments must be a JSON object to become an Anthropic tool_use input.')
    }
    if (input === null || typeof input !== 'object' || Array.isArray(input)) refuse('tool_support', 'tool_calls.arguments', 'Tool call arguments must be a JSON object.')
    blocks.push({ type: 'tool_use', id: call.id, name: fn.name, input })
  }
  return blocks
}

function toolResult(message: Json): Block {
  if (typeof message.tool_call_id !== 'string' || message.tool_call_id === '') refuse('tool_support', 'tool_call_id', 'A tool message needs the tool_call_id it answers.')
  const parts = asContentParts(message.content)
  if (parts.some((p) => p.type !== 'text')) refuse('tool_support', 'tool.content', 'Tool results hold text only.')
  const text = parts.map((p) => String(p.text)).join('\n')
  return { type: 'tool_result', tool_use_id: message.tool_call_id, content: text }
}

function translateTools(tools: unknown): Json[] | undefined {
  if (!Array.isArray(tools) || tools.length === 0) return undefined
  return (tools as Json[]).map((tool) => {
    const fn = tool.function as Json | undefined
    if (tool.type !== 'function' || !fn || typeof fn.name !== 'string') refuse('tool_support', 'tools.type', `Only function tools can be sent to Anthropic (got '${String(tool.type)}').`)
    if (fn.strict === true) refuse('tool_support', 'tools.function.strict', 'Anthropic cannot guarantee strict schema adherence for tool arguments.')
    const out: Json = { name: fn.name, input_schema: (fn.parameters as Json | undefined) ?? { type: 'object', properties: {} } }
    if (typeof fn.description === 'string') out.description = fn.description
    return out
  })
}

function translateToolChoice(choice: unknown, parallel: unknown, hasTools: boolean): Json | undefined {
  const noParallel = parallel === false ? { disable_parallel_tool_use: true } : {}
  if (choice === undefined || choice === null) return hasTools && parallel === false ? { type: 'auto', ...noParallel } : undefined
  if (!hasTools) return refuse('tool_support', 'tool_choice', 'tool_choice needs tools.')
  if (choice === 'auto') return { type: 'auto', ...noParallel }
  if (choice === 'none') return { type: 'none' }
  if (choice === 'required') return { type: 'any', ...noParallel }
  const named = (choice as Json).function as Json | undefined
  if ((choice as Json).type === 'function' && typeof named?.name === 'string') return { type: 'tool', name: named.name, ...noParallel }
  return refuse('tool_support', 'tool_choice', 'This tool_choice has no Anthropic equivalent.')
}
