/**
 * One parsed line → a canonical request view, whichever shape it came in. Ingest validates
 * with it; dispatch (`provider-body.ts`) rebuilds the upstream body from the same view, so what
 * was checked is what is sent.
 */
import type { TSchema } from '@sinclair/typebox'
import { CHAT_PARTS, ChatRequest, EmbeddingsRequest, NativeLine, OpenAiLine, RESPONSES_PARTS, ResponsesFunctionTool, ResponsesRequest, firstProblem, type ChatMessage, type ShapeProblem } from './line-shapes'
import { responsesToChat } from './responses-api'
import { ITEM_URLS, type ItemOperation, type ItemUrl } from './types'

/** The envelope of a line: who, which model, which endpoint, and the request payload. */
export interface LineEnvelope {
  shape: 'native' | 'openai'
  /** `customer_item_id` or `custom_id`, schema-checked as a string (length checked by the caller). */
  customerItemId: string
  model: string
  /** Native: the declared operation; OpenAI: null (derived from url and content). */
  declaredOperation: ItemOperation | null
  /** OpenAI: the line's url/method as given; native: the url implied by the operation. */
  rawUrl: string
  method: string
  /** `input` (native) or `body` (OpenAI), and the param prefix naming it. */
  payload: Record<string, unknown>
  prefix: 'input' | 'body'
}

/** A chat request in chat-completions form, images still unresolved (`input_image` parts). */
export interface ChatView {
  kind: 'chat'
  operation: 'responses' | 'vision'
  messages: ChatMessage[]
  /** Every other chat-completions parameter, without `messages`, `model`, `stream`. */
  params: Record<string, unknown>
  /** max_tokens / max_completion_tokens / max_output_tokens when given. */
  maxOutputTokens: number | null
  imageFileIds: string[]
  hasImages: boolean
}

export interface EmbeddingsView {
  kind: 'embeddings'
  operation: 'embeddings'
  /** The texts to embed, for counting; `params.input` keeps the client's original form. */
  texts: string[]
  params: Record<string, unknown>
}

export type RequestView = ChatView | EmbeddingsView
export type Checked<T> = { ok: true; value: T } | { ok: false; problem: ShapeProblem }

const IMPLIED_URL: Record<ItemOperation, ItemUrl> = { responses: '/v1/chat/completions', vision: '/v1/chat/completions', embeddings: '/v1/embeddings' }
const OPENAI_KEYS = ['custom_id', 'method', 'url', 'body']
const NATIVE_KEYS = ['customer_item_id', 'operation', 'input']

/** True when `url` is one of the endpoints an item may name. */
export function isItemUrl(url: string): url is ItemUrl {
  return (ITEM_URLS as readonly string[]).includes(url)
}

/** Decides the shape (OpenAI keys win) and checks the envelope; `value` must be a plain object. */
export function readEnvelope(value: Record<string, unknown>): Checked<LineEnvelope> {
  if (OPENAI_KEYS.some((k) => k in value)) {
    const problem = firstProblem(OpenAiLine, value, '')
    if (problem) return { ok: false, problem }
    const line = value as OpenAiLine
    return { ok: true, value: { shape: 'openai', customerItemId: line.custom_id, model: line.body.model, declaredOperation: null, rawUrl: line.url, method: line.method, payload: line.body, prefix: 'body' } }
  }
  if (NATIVE_KEYS.some((k) => k in value)) {
    const problem = firstProblem(NativeLine, value, '')
    if (problem) return { ok: false, problem }
    const line = value as NativeLine
    return { ok: true, value: { shape: 'native', customerItemId: line.customer_item_id, model: line.model, declaredOperation: line.operation, rawUrl: IMPLIED_URL[line.operation], method: 'POST', payload: line.input as Record<string, unknown>, prefix: 'input' } }
  }
  return { ok: false, problem: { param: '', message: 'The line is neither a native item ({customer_item_id, operation, model, input}) nor an OpenAI request line ({custom_id, method, url, body}).' } }
}

/** The URL an envelope resolves to: its own (OpenAI, must be supported) or the implied one. */
export function urlOf(env: LineEnvelope): ItemUrl | null {
  return isItemUrl(env.rawUrl) ? env.rawUrl : null
}

/** Validates the payload for its endpoint and converts it to the canonical view. */
export function readRequest(env: LineEnvelope, url: ItemUrl): Checked<RequestView> {
  if (url === '/v1/embeddings') return readEmbeddings(env)
  if (url === '/v1/responses') {
    const problem =
      firstProblem(ResponsesRequest, env.payload, env.prefix) ??
      checkParts(env.payload.input, RESPONSES_PARTS, `${env.prefix}.input`, 'input_text, output_text, input_image') ??
      checkEach(env.payload.tools, ResponsesFunctionTool, `${env.prefix}.tools`)
    if (problem) return { ok: false, problem }
    const { messages, params, maxOutputTokens } = responsesToChat(env.payload)
    return finishChat(env, messages, params, maxOutputTokens)
  }
  const problem = firstProblem(ChatRequest, env.payload, env.prefix) ?? checkParts(env.payload.messages, CHAT_PARTS, `${env.prefix}.messages`, 'text, image_url, input_image')
  if (problem) return { ok: false, problem }
  const { messages, model: _model, stream: _stream, stream_options: _opts, ...params } = env.payload
  const maxOutputTokens = numberOrNull(params.max_completion_tokens) ?? numberOrNull(params.max_tokens)
  return finishChat(env, messages as ChatMessage[], params, maxOutputTokens)
}

function readEmbeddings(env: LineEnvelope): Checked<RequestView> {
  const problem = firstProblem(EmbeddingsRequest, env.payload, env.prefix)
  if (problem) return { ok: false, problem }
  const { model: _model, stream: _stream, ...params } = env.payload
  const input = params.input as string | string[]
  return { ok: true, value: { kind: 'embeddings', operation: 'embeddings', texts: typeof input === 'string' ? [input] : input, params } }
}

function finishChat(env: LineEnvelope, messages: ChatMessage[], params: Record<string, unknown>, maxOutputTokens: number | null): Checked<RequestView> {
  const imageFileIds: string[] = []
  let hasImages = false
  for (const [i, m] of messages.entries()) {
    if (!Array.isArray(m.content)) continue
    for (const [j, part] of (m.content as Array<Record<string, unknown>>).entries()) {
      if (part.type === 'input_image') {
        hasImages = true
        imageFileIds.push(part.file_id as string)
      } else if (part.type === 'image_url') {
        hasImages = true
        const url = (part.image_url as { url: string }).url
        if (env.shape === 'native' && !url.startsWith('data:')) {
          return { ok: false, problem: { param: `input.messages[${i}].content[${j}].image_url.url`, message: 'Native items take images as data: URLs or {type:"input_image", file_id} blocks; upload the image to /v1/files.' } }
        }
      }
    }
  }
  if (env.declaredOperation === 'vision' && !hasImages) {
    return { ok: false, problem: { param: 'input.messages', message: 'A vision item needs at least one image block ({type:"input_image", file_id} or {type:"image_url", image_url:{url:"data:…"}}).' } }
  }
  if (env.declaredOperation === 'responses' && hasImages) {
    return { ok: false, problem: { param: 'operation', message: 'The item carries image blocks; use operation "vision".' } }
  }
  // Native lines declare their operation (checked consistent above); OpenAI lines derive it.
  const operation = hasImages ? 'vision' : 'responses'
  return { ok: true, value: { kind: 'chat', operation, messages, params, maxOutputTokens, imageFileIds: [...new Set(imageFileIds)], hasImages } }
}

/** Checks every content part of a message list against the schema for its `type`. */
function checkParts(messages: unknown, parts: Record<string, TSchema>, prefix: string, supported: string): ShapeProblem | null {
  if (!Array.isArray(messages)) return null // a string `input` (Responses API) has no parts
  for (const [i, m] of messages.entries()) {
    const content = (m as { content?: unknown }).content
    if (!Array.isArray(content)) continue
    for (const [j, part] of content.entries()) {
      const type = (part as { type: string }).type
      const schema = parts[type]
      const param = `${prefix}[${i}].content[${j}]`
      if (!schema) return { param: `${param}.type`, message: `${param}.type "${type}" is not supported (use ${supported})` }
      const problem = firstProblem(schema, part, param)
      if (problem) return problem
    }
  }
  return null
}

/** Checks every element of an optional list against `schema`. */
function checkEach(list: unknown, schema: TSchema, prefix: string): ShapeProblem | null {
  if (!Array.isArray(list)) return null
  for (const [i, element] of list.entries()) {
    const problem = firstProblem(schema, element, `${prefix}[${i}]`)
    if (problem) return problem
  }
  return null
}

function numberOrNull(v: unknown): number | null {
  return typeof v === 'number' ? v : null
}
