/**
 * `POST /v1/chat/completions` of the OpenAI-compatible dialect: request validation (with the
 * 400 envelope real servers send) and the deterministic `chat.completion` built from it.
 */
import { ECHO_CHARS, echoSource, hashHex, promptTokens, replyText, textTokens, truncateToTokens, type SimMessage } from './deterministic'
import { invalidRequest } from './respond'

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool'])
const MAX_CHOICES = 8

/** A validated chat request, reduced to what the simulator reads. */
export interface SimChatRequest {
  model: string
  messages: SimMessage[]
  maxTokens?: number
  n: number
  tools?: { type: 'function'; function: { name: string } }[]
  toolChoice: 'none' | 'auto' | 'required' | { name: string }
}

type Parsed<T> = { ok: true; value: T } | { ok: false; response: Response }
const bad = (message: string, param: string | null, code: string | null = null): Parsed<never> => ({ ok: false, response: invalidRequest(message, param, code) })
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1

/** Validates a chat body; any problem becomes a 400 invalid_request_error naming its `param`. */
export function parseChatRequest(body: Record<string, unknown>): Parsed<SimChatRequest> {
  if (typeof body.model !== 'string' || body.model === '') return bad('You must provide a model parameter.', 'model')
  if (body.stream === true) return bad('The simulator does not stream: send stream:false (or omit it).', 'stream', 'unsupported_value')
  if (!Array.isArray(body.messages) || body.messages.length === 0) return bad("'messages' must be a non-empty array of messages.", 'messages')
  const messages: SimMessage[] = []
  for (const [i, raw] of body.messages.entries()) {
    const parsed = parseMessage(raw, `messages[${i}]`)
    if (!parsed.ok) return parsed
    messages.push(parsed.value)
  }
  const maxTokens = body.max_completion_tokens ?? body.max_tokens
  if (maxTokens !== undefined && maxTokens !== null && !isPositiveInt(maxTokens)) return bad('max_tokens must be a positive integer.', body.max_completion_tokens !== undefined ? 'max_completion_tokens' : 'max_tokens')
  const n = body.n ?? 1
  if (!isPositiveInt(n) || n > MAX_CHOICES) return bad(`n must be an integer from 1 to ${MAX_CHOICES}.`, 'n')
  const tools = parseTools(body.tools)
  if (!tools.ok) return tools
  const toolChoice = parseToolChoice(body.tool_choice, tools.value)
  if (!toolChoice.ok) return toolChoice
  return { ok: true, value: { model: body.model, messages, maxTokens: (maxTokens as number | null) ?? undefined, n, tools: tools.value, toolChoice: toolChoice.value } }
}

function parseMessage(raw: unknown, param: string): Parsed<SimMessage> {
  if (!isObject(raw)) return bad(`${param} must be an object with role and content.`, param)
  if (typeof raw.role !== 'string' || !ROLES.has(raw.role)) return bad(`${param}.role must be one of system, developer, user, assistant, tool.`, `${param}.role`)
  const extraChars = (typeof raw.name === 'string' ? raw.name.length : 0) + (raw.tool_calls !== undefined ? JSON.stringify(raw.tool_calls).length : 0)
  const content = raw.content
  if (typeof content === 'string') return { ok: true, value: { role: raw.role, text: content, images: 0, extraChars } }
  if ((content === null || content === undefined) && raw.role === 'assistant') return { ok: true, value: { role: raw.role, text: '', images: 0, extraChars } }
  if (!Array.isArray(content)) return bad(`${param}.content must be a string or an array of content parts.`, `${param}.content`)
  const texts: string[] = []
  let images = 0
  for (const [j, part] of content.entries()) {
    const where = `${param}.content[${j}]`
    if (!isObject(part)) return bad(`${where} must be a content part object.`, where)
    if (part.type === 'text' && typeof part.text === 'string') texts.push(part.text)
    else if (part.type === 'image_url' && isObject(part.image_url) && typeof part.image_url.url === 'string' && part.image_url.url !== '') images++
    else if (part.type === 'text' || part.type === 'image_url') return bad(`${where} is missing its ${part.type === 'text' ? 'text' : 'image_url.url'}.`, where)
    else return bad(`${where}.type '${String(part.type)}' is not supported; use text or image_url.`, `${where}.type`, 'invalid_value')
  }
  return { ok: true, value: { role: raw.role, text: texts.join('\n'), images, extraChars } }
}

function parseTools(raw: unknown): Parsed<SimChatRequest['tools']> {
  if (raw === undefined || raw === null) return { ok: true, value: undefined }
  if (!Array.isArray(raw)) return bad('tools must be an array of function tools.', 'tools')
  for (const [i, tool] of raw.entries()) {
    if (!isObject(tool) || tool.type !== 'function' || !isObject(tool.function) || typeof tool.function.name !== 'string' || tool.function.name === '') {
      return bad(`tools[${i}] must be {type:"function", function:{name, …}}.`, `tools[${i}]`)
    }
  }
  return { ok: true, value: raw as SimChatRequest['tools'] }
}

function parseToolChoice(raw: unknown, tools: SimChatRequest['tools']): Parsed<SimChatRequest['toolChoice']> {
  if (raw === undefined || raw === null) return { ok: true, value: 'auto' }
  if (raw === 'none' || raw === 'auto' || raw === 'required') {
    if (raw === 'required' && !tools?.length) return bad("tool_choice 'required' needs at least one tool.", 'tool_choice')
    return { ok: true, value: raw }
  }
  if (isObject(raw) && raw.type === 'function' && isObject(raw.function) && typeof raw.function.name === 'string') {
    const name = raw.function.name
    if (!tools?.some((t) => t.function.name === name)) return bad(`tool_choice names function '${name}', which is not in tools.`, 'tool_choice')
    return { ok: true, value: { name } }
  }
  return bad("tool_choice must be 'none', 'auto', 'required' or {type:\"function\", function:{name}}.", 'tool_choice')
}

/** The function a reply calls, if any: forced by tool_choice, or asked for with "call tool" in the last user message. */
function chosenTool(req: SimChatRequest): string | undefined {
  if (!req.tools?.length || req.toolChoice === 'none') return undefined
  if (typeof req.toolChoice === 'object') return req.toolChoice.name
  if (req.toolChoice === 'required' || /call tool/i.test(echoSource(req.messages))) return req.tools[0]!.function.name
  return undefined
}

/** The deterministic `chat.completion` for a validated request; `sequence` makes ids unique. */
export function buildChatCompletion(req: SimChatRequest, sequence: number, nowMs: number): Record<string, unknown> {
  const prompt = promptTokens(req.messages, req.tools)
  const digest = hashHex(JSON.stringify([req.model, req.messages, req.tools ?? null]))
  const seq = sequence.toString(16).padStart(8, '0')
  const tool = chosenTool(req)
  let message: Record<string, unknown>
  let completion: number
  let finishReason: 'stop' | 'length' | 'tool_calls'
  if (tool !== undefined) {
    const args = JSON.stringify({ input: echoSource(req.messages).slice(0, ECHO_CHARS) })
    message = { role: 'assistant', content: null, tool_calls: [{ id: `call_${digest}${seq}`, type: 'function', function: { name: tool, arguments: args } }] }
    completion = textTokens(tool + args)
    finishReason = 'tool_calls'
  } else {
    const reply = truncateToTokens(replyText(req.messages), req.maxTokens)
    message = { role: 'assistant', content: reply.text }
    completion = textTokens(reply.text)
    finishReason = reply.truncated ? 'length' : 'stop'
  }
  const choices = Array.from({ length: req.n }, (_, index) => ({ index, message, logprobs: null, finish_reason: finishReason }))
  return {
    id: `chatcmpl-${digest}${seq}`,
    object: 'chat.completion',
    created: Math.floor(nowMs / 1000),
    model: req.model,
    system_fingerprint: 'fp_batchrouter_sim',
    choices,
    usage: { prompt_tokens: prompt, completion_tokens: completion * req.n, total_tokens: prompt + completion * req.n, prompt_tokens_details: { cached_tokens: 0 } },
  }
}
