/**
 * Every per-line rule of contract §3 for one parsed line: shape, customer id (length and
 * uniqueness), stream, endpoint, model, operation, fields, context window. Pure and synchronous;
 * the only state is the caller's map of ids already seen.
 */
import type { Catalog, CatalogModel } from '../../catalog-schema'
import { findModel } from '../catalog/index'
import { anthropicRefusal, formatRefusal } from '../../providers/translate/index'
import { readEnvelope, readRequest, urlOf, type ChatView, type LineEnvelope, type RequestView } from './normalize'
import { ITEM_URLS, type ItemDraft, type PreflightCode } from './types'
import { countTokens, estimateMessagesTokens, type Tokenizer } from '../../lib/tokens'

/** Longest customer_item_id / custom_id, in characters. */
export const MAX_CUSTOMER_ITEM_ID_CHARS = 512
/** Estimates within this fraction of the context window are recounted exactly when possible. */
const EXACT_RECOUNT_MARGIN = 0.2

export interface LineContext {
  catalog: Catalog
  endpoint?: string
  exactTokens: boolean
  /** customer ids seen so far → their line; updated by `validateLine`. */
  seenIds: Map<string, number>
}

/** A problem without its line number (the caller adds it). */
export interface LineProblem {
  code: PreflightCode
  item: string | null
  message: string
  param?: string
}

export type LineFacts = Omit<ItemDraft, 'seq' | 'line' | 'offset' | 'length'>

/** The draft facts of a valid line, or every problem found on it (draft null). */
export function validateLine(value: unknown, lineNo: number, ctx: LineContext): { facts: LineFacts | null; problems: LineProblem[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail([{ code: 'invalid_json', item: null, message: `Line ${lineNo} is not a JSON object.` }])
  }
  const envelope = readEnvelope(value as Record<string, unknown>)
  if (!envelope.ok) return fail([{ code: 'invalid_item', item: null, message: envelope.problem.message, ...paramOf(envelope.problem.param) }])
  const env = envelope.value
  const problems: LineProblem[] = []
  const item = checkCustomerId(env, lineNo, ctx, problems)
  if (env.payload.stream === true) {
    problems.push({ code: 'stream_not_supported', item, message: 'stream: true is not supported in a batch; remove it.', param: `${env.prefix}.stream` })
  }
  const url = checkEndpoint(env, ctx, item, problems)
  if (!url) return fail(problems)
  const model = findModel(ctx.catalog, env.model)
  if (!model) return fail([...problems, unknownModel(env, url, ctx.catalog, item)])
  const request = readRequest(env, url)
  if (!request.ok) return fail([...problems, { code: 'invalid_item', item, message: request.problem.message, ...paramOf(request.problem.param) }])
  const view = request.value
  if (!(model.operations as readonly string[]).includes(view.operation)) {
    const why = view.operation === 'vision' && env.declaredOperation === null ? ' (the request carries images)' : ''
    return fail([...problems, { code: 'operation_unsupported', item, message: `Model '${model.slug}' does not offer operation "${view.operation}"${why}; it offers ${model.operations.join(', ')}.`, param: env.shape === 'native' ? 'operation' : 'body.model' }])
  }
  const limits = checkLimits(env, view, model, ctx.exactTokens, item)
  if ('problem' in limits) return fail([...problems, limits.problem])
  if (problems.length > 0) return fail(problems)
  return {
    facts: {
      customerItemId: env.customerItemId,
      model: model.slug,
      operation: view.operation,
      url,
      estInputTokens: limits.inputTokens,
      estOutputTokens: view.kind === 'chat' ? (view.maxOutputTokens ?? model.default_output_tokens) : 0,
      needsTools: view.kind === 'chat' && Array.isArray(view.params.tools) && view.params.tools.length > 0,
      untranslatable: untranslatable(view),
      imageFileIds: view.kind === 'chat' ? view.imageFileIds : [],
    },
    problems: [],
  }
}

/** The Anthropic translation refusal of a chat request, compact (`<code>:<feature>`), or null. */
function untranslatable(view: RequestView): string | null {
  if (view.kind !== 'chat') return null
  const refusal = anthropicRefusal({ ...view.params, messages: view.messages })
  return refusal ? formatRefusal(refusal) : null
}

function fail(problems: LineProblem[]): { facts: null; problems: LineProblem[] } {
  return { facts: null, problems }
}

function paramOf(param: string): { param?: string } {
  return param === '' ? {} : { param }
}

/** Length and uniqueness; returns the id to name in problems (null when the id itself is bad). */
function checkCustomerId(env: LineEnvelope, lineNo: number, ctx: LineContext, problems: LineProblem[]): string | null {
  const id = env.customerItemId
  const param = env.shape === 'native' ? 'customer_item_id' : 'custom_id'
  const chars = id.length <= MAX_CUSTOMER_ITEM_ID_CHARS ? id.length : [...id].length
  if (chars < 1 || chars > MAX_CUSTOMER_ITEM_ID_CHARS) {
    problems.push({ code: 'customer_item_id_invalid', item: null, message: `${param} must be 1–${MAX_CUSTOMER_ITEM_ID_CHARS} characters (got ${chars}).`, param })
    return null
  }
  const first = ctx.seenIds.get(id)
  if (first !== undefined) {
    problems.push({ code: 'duplicate_customer_item_id', item: id, message: `${param} '${id}' is used again here; line ${first} already uses it. Ids must be unique within a batch.`, param })
  } else ctx.seenIds.set(id, lineNo)
  return id
}

/** OpenAI lines: method POST, a supported url, equal to the batch endpoint when one is set. */
function checkEndpoint(env: LineEnvelope, ctx: LineContext, item: string | null, problems: LineProblem[]): (typeof ITEM_URLS)[number] | null {
  if (env.shape === 'native') return urlOf(env)
  if (env.method !== 'POST') problems.push({ code: 'endpoint_mismatch', item, message: `method must be "POST" (got ${JSON.stringify(env.method)}).`, param: 'method' })
  const url = urlOf(env)
  if (!url) {
    problems.push({ code: 'endpoint_mismatch', item, message: `url ${JSON.stringify(env.rawUrl)} is not supported; use one of ${ITEM_URLS.join(', ')}.`, param: 'url' })
    return null
  }
  if (ctx.endpoint !== undefined && url !== ctx.endpoint) {
    problems.push({ code: 'endpoint_mismatch', item, message: `url ${url} differs from the batch endpoint ${ctx.endpoint}; every line's url must equal endpoint.`, param: 'url' })
    return null // the body was written for another endpoint: checking it against this one is noise
  }
  return url
}

function unknownModel(env: LineEnvelope, url: string, catalog: Catalog, item: string | null): LineProblem {
  const wanted = env.declaredOperation ?? (url === '/v1/embeddings' ? 'embeddings' : 'responses')
  const examples = catalog.models.filter((m) => (m.operations as readonly string[]).includes(wanted)).slice(0, 5).map((m) => m.slug)
  const list = (examples.length > 0 ? examples : catalog.models.slice(0, 5).map((m) => m.slug)).join(', ')
  return { code: 'unknown_model', item, message: `Unknown model '${env.model}'. Use a catalog slug or alias, e.g. ${list} (GET /v1/catalog/models lists all).`, param: env.shape === 'native' ? 'model' : 'body.model' }
}

/** Output cap and context window; exact recount near the limit for OpenAI encodings. */
function checkLimits(env: LineEnvelope, view: RequestView, model: CatalogModel, exactTokens: boolean, item: string | null): { inputTokens: number } | { problem: LineProblem } {
  const maxOut = view.kind === 'chat' ? (view.maxOutputTokens ?? 0) : 0
  if (maxOut > model.max_output_tokens) {
    return { problem: { code: 'invalid_item', item, message: `${outputParam(env, view)} is ${maxOut}; model '${model.slug}' produces at most ${model.max_output_tokens} output tokens.`, param: outputParam(env, view) } }
  }
  const canCountExactly = model.tokenizer !== 'estimate'
  let exact = exactTokens && canCountExactly
  let estimate = estimateInput(view, model.tokenizer, exact)
  if (!exact && canCountExactly && estimate.largest + maxOut > model.context_window * (1 - EXACT_RECOUNT_MARGIN)) {
    exact = true
    estimate = estimateInput(view, model.tokenizer, true)
  }
  if (estimate.largest + maxOut <= model.context_window) return { inputTokens: estimate.total }
  const how = exact ? 'counted' : 'estimated'
  const message =
    view.kind === 'embeddings'
      ? `An input text has ${estimate.largest} tokens (${how}); model '${model.slug}' embeds at most ${model.context_window} tokens per text.`
      : `The input has ${estimate.largest} tokens (${how})${maxOut > 0 ? ` plus ${maxOut} requested output tokens` : ''}; model '${model.slug}' has a context window of ${model.context_window} tokens. Shorten the input${maxOut > 0 ? ' or lower the output limit' : ''}.`
  return { problem: { code: 'context_window_exceeded', item, message, param: inputParam(env, view) } }
}

function outputParam(env: LineEnvelope, view: ChatView | RequestView): string {
  const p = env.payload
  const key = p.max_output_tokens !== undefined ? 'max_output_tokens' : p.max_completion_tokens !== undefined ? 'max_completion_tokens' : 'max_tokens'
  return view.kind === 'chat' ? `${env.prefix}.${key}` : env.prefix
}

function inputParam(env: LineEnvelope, view: RequestView): string {
  if (view.kind === 'embeddings') return `${env.prefix}.input`
  return env.shape === 'openai' && env.rawUrl === '/v1/responses' ? 'body.input' : `${env.prefix}.messages`
}

// ---- Input-token estimates of a canonical request (see lib/tokens for the counting rules).
// Chat: messages with per-message overhead and image costs, plus the JSON of `tools` and
// `response_format` (they are sent to the model too). Embeddings: the sum over texts, and the
// largest text — the context window applies to each text separately.

export interface InputEstimate {
  /** Input tokens of the whole request. */
  total: number
  /** The part the context window applies to: the whole chat, or the largest embedding text. */
  largest: number
}

/** Estimated (or, with `exact` and an OpenAI encoding, exact) input tokens of `view`. */
export function estimateInput(view: RequestView, tokenizer: Tokenizer, exact: boolean): InputEstimate {
  if (view.kind === 'embeddings') {
    let total = 0
    let largest = 0
    for (const text of view.texts) {
      const n = countTokens(text, tokenizer, exact)
      total += n
      if (n > largest) largest = n
    }
    return { total, largest }
  }
  let total = estimateMessagesTokens(view.messages, tokenizer, exact)
  for (const key of ['tools', 'response_format'] as const) {
    const value = view.params[key]
    if (value !== undefined && value !== null) total += countTokens(JSON.stringify(value), tokenizer, exact)
  }
  return { total, largest: total }
}
