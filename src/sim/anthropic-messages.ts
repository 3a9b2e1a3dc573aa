/**
 * The Anthropic Messages request the simulator validates inside a Message Batch, and the
 * deterministic Message it answers — the same reply text and token rules as the OpenAI chat
 * dialect (deterministic.ts), dressed as an Anthropic Message (research §B.4).
 */
import { ECHO_CHARS, echoSource, hashHex, promptTokens, replyText, textTokens, truncateToTokens, type SimMessage } from './deterministic'

/** A validated Messages request, reduced to what the simulator reads. */
export interface SimAnthropicRequest {
  model: string
  messages: SimMessage[]
  maxTokens: number
  tools?: { name: string }[]
  toolChoice: 'auto' | 'any' | 'none' | { name: string }
}

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string }
const bad = (message: string): Parsed<never> => ({ ok: false, message })
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
const BLOCK_TYPES = new Set(['text', 'image', 'tool_use', 'tool_result', 'document'])

/** Validates Messages params the way the API reports them in an `errored` result. */
export function parseAnthropicParams(params: Record<string, unknown>): Parsed<SimAnthropicRequest> {
  if (typeof params.model !== 'string' || params.model === '') return bad('model: Field required')
  if (typeof params.max_tokens !== 'number' || !Number.isInteger(params.max_tokens) || params.max_tokens < 1) return bad('max_tokens: Field required (a positive integer)')
  if (params.stream === true) return bad('stream: streaming is not supported in Message Batches')
  if (!Array.isArray(params.messages) || params.messages.length === 0) return bad('messages: at least one message is required')
  const messages: SimMessage[] = []
  const system = parseSystem(params.system)
  if (!system.ok) return system
  if (system.value) messages.push(system.value)
  for (const [i, raw] of params.messages.entries()) {
    const parsed = parseMessage(raw, `messages.${i}`)
    if (!parsed.ok) return parsed
    messages.push(parsed.value)
  }
  const tools = params.tools
  if (tools !== undefined && (!Array.isArray(tools) || tools.some((t) => !isObject(t) || typeof t.name !== 'string' || !isObject(t.input_schema)))) {
    return bad('tools: each tool needs a name and an input_schema object')
  }
  const choice = parseToolChoice(params.tool_choice, tools as { name: string }[] | undefined)
  if (!choice.ok) return choice
  return { ok: true, value: { model: params.model, messages, maxTokens: params.max_tokens, tools: tools as { name: string }[] | undefined, toolChoice: choice.value } }
}

function parseSystem(system: unknown): Parsed<SimMessage | null> {
  if (system === undefined || system === null) return { ok: true, value: null }
  if (typeof system === 'string') return { ok: true, value: { role: 'system', text: system, images: 0, extraChars: 0 } }
  if (Array.isArray(system) && system.every((b) => isObject(b) && b.type === 'text' && typeof b.text === 'string')) {
    return { ok: true, value: { role: 'system', text: system.map((b) => (b as { text: string }).text).join('\n'), images: 0, extraChars: 0 } }
  }
  return bad('system: must be a string or a list of text blocks')
}

function parseMessage(raw: unknown, where: string): Parsed<SimMessage> {
  if (!isObject(raw) || (raw.role !== 'user' && raw.role !== 'assistant')) return bad(`${where}.role: must be "user" or "assistant"`)
  if (typeof raw.content === 'string') return { ok: true, value: { role: raw.role, text: raw.content, images: 0, extraChars: 0 } }
  if (!Array.isArray(raw.content) || raw.content.length === 0) return bad(`${where}.content: must be a string or a non-empty list of blocks`)
  const texts: string[] = []
  let images = 0
  let extraChars = 0
  for (const [j, block] of raw.content.entries()) {
    if (!isObject(block) || typeof block.type !== 'string' || !BLOCK_TYPES.has(block.type)) return bad(`${where}.content.${j}.type: unsupported block type`)
    if (block.type === 'text') {
      if (typeof block.text !== 'string' || block.text === '') return bad(`${where}.content.${j}.text: text content blocks must be non-empty`)
      texts.push(block.text)
    } else if (block.type === 'image') {
      if (!isObject(block.source)) return bad(`${where}.content.${j}.source: Field required`)
      images++
    } else if (block.type === 'tool_result') {
      if (typeof block.tool_use_id !== 'string') return bad(`${where}.content.${j}.tool_use_id: Field required`)
      texts.push(typeof block.content === 'string' ? block.content : JSON.stringify(block.content ?? ''))
    } else extraChars += JSON.stringify(block).length
  }
  return { ok: true, value: { role: raw.role, text: texts.join('\n'), images, extraChars } }
}

function parseToolChoice(raw: unknown, tools: { name: string }[] | undefined): Parsed<SimAnthropicRequest['toolChoice']> {
  if (raw === undefined || raw === null) return { ok: true, value: 'auto' }
  if (!isObject(raw)) return bad('tool_choice: must be an object')
  if (raw.type === 'auto' || raw.type === 'any' || raw.type === 'none') {
    if (raw.type === 'any' && !tools?.length) return bad('tool_choice: "any" needs tools')
    return { ok: true, value: raw.type }
  }
  if (raw.type === 'tool' && typeof raw.name === 'string' && tools?.some((t) => t.name === raw.name)) return { ok: true, value: { name: raw.name } }
  return bad('tool_choice: must be auto, any, none or {type:"tool", name} naming a tool')
}

/** The tool a reply calls, if any: forced by tool_choice, or asked for with "call tool". */
function chosenTool(req: SimAnthropicRequest): string | undefined {
  if (!req.tools?.length || req.toolChoice === 'none') return undefined
  if (typeof req.toolChoice === 'object') return req.toolChoice.name
  if (req.toolChoice === 'any' || /call tool/i.test(echoSource(req.messages))) return req.tools[0]!.name
  return undefined
}

/** The deterministic Message for a validated request; `sequence` makes ids unique. */
export function buildAnthropicMessage(req: SimAnthropicRequest, sequence: number): Record<string, unknown> {
  const prompt = promptTokens(req.messages, req.tools)
  const digest = hashHex(JSON.stringify([req.model, req.messages, req.tools ?? null]))
  const seq = sequence.toString(16).padStart(8, '0')
  const tool = chosenTool(req)
  let content: Record<string, unknown>[]
  let output: number
  let stopReason: string
  if (tool !== undefined) {
    const input = { input: echoSource(req.messages).slice(0, ECHO_CHARS) }
    content = [{ type: 'tool_use', id: `toolu_${digest}${seq}`, name: tool, input }]
    output = textTokens(tool + JSON.stringify(input))
    stopReason = 'tool_use'
  } else {
    const reply = truncateToTokens(replyText(req.messages), req.maxTokens)
    content = [{ type: 'text', text: reply.text }]
    output = textTokens(reply.text)
    stopReason = reply.truncated ? 'max_tokens' : 'end_turn'
  }
  return {
    id: `msg_${digest}${seq}`,
    type: 'message',
    role: 'assistant',
    model: req.model,
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage: { input_tokens: prompt, output_tokens: output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, service_tier: 'batch' },
  }
}
