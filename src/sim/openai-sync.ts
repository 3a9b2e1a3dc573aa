/**
 * The OpenAI-compatible synchronous dialect (research §D): chat completions, embeddings and the
 * models list under `{prefix}/v1`. Chat and embeddings go through the fault pipeline; the models
 * list never fails (health checks read it).
 */
import { buildChatCompletion, parseChatRequest } from './openai-chat'
import { buildEmbeddingList, parseEmbeddingRequest } from './openai-embeddings'
import { serveWithFaults } from './pipeline'
import { jsonResponse, openAiError, readJsonObject, type SimContext, type SimRoute } from './respond'
import { nextSequence } from './state'

/** Models always listed by `GET /v1/models` (plus every model seen since the last reset). */
export const LISTED_MODELS = [
  'gpt-4o-mini',
  'gpt-4o',
  'gpt-4.1-mini',
  'text-embedding-3-small',
  'text-embedding-3-large',
  'meta-llama/Llama-3.1-8B-Instruct',
  'nomic-embed-text',
] as const

/** A fixed `created` for model cards, so listings are stable. */
const MODEL_CREATED = 1_700_000_000

/** Routes of the dialect with wire paths under `${prefix}/v1`. */
export function openAiSyncRoutes(prefix: string): SimRoute[] {
  return [
    { method: 'POST', pattern: `${prefix}/v1/chat/completions`, handle: serveChat },
    { method: 'POST', pattern: `${prefix}/v1/embeddings`, handle: serveEmbeddings },
    { method: 'GET', pattern: `${prefix}/v1/models`, handle: (ctx) => jsonResponse({ object: 'list', data: listModels(ctx).map(modelCard) }) },
    { method: 'GET', pattern: `${prefix}/v1/models/*model`, handle: serveModel },
  ]
}

type Parsed<T> = { ok: true; value: T } | { ok: false; response: Response }

/** Reads the JSON body, applies the model's faults, then parses and answers (chat and embeddings alike). */
async function serveRequest<T>(ctx: SimContext, parse: (body: Record<string, unknown>) => Parsed<T>, answer: (value: T, sequence: number) => unknown): Promise<Response> {
  const read = await readJsonObject(ctx.request)
  const model = read.ok && typeof read.body.model === 'string' ? read.body.model : undefined
  return serveWithFaults(ctx, model, () => {
    if (!read.ok) return read.response
    const parsed = parse(read.body)
    if (!parsed.ok) return parsed.response
    return jsonResponse(answer(parsed.value, nextSequence(ctx.state)))
  })
}

function serveChat(ctx: SimContext): Promise<Response> {
  return serveRequest(ctx, parseChatRequest, (value, sequence) => buildChatCompletion(value, sequence, ctx.now()))
}

function serveEmbeddings(ctx: SimContext): Promise<Response> {
  return serveRequest(ctx, parseEmbeddingRequest, buildEmbeddingList)
}

function serveModel(ctx: SimContext): Response {
  const id = decodeURIComponent(ctx.params.model ?? '')
  if (!listModels(ctx).includes(id)) return openAiError(404, `The model '${id}' does not exist.`, { param: 'model', code: 'model_not_found' })
  return jsonResponse(modelCard(id))
}

function listModels(ctx: SimContext): string[] {
  return [...new Set<string>([...LISTED_MODELS, ...ctx.state.seenModels])]
}

function modelCard(id: string) {
  return { id, object: 'model', created: MODEL_CREATED, owned_by: 'batchrouter-sim' }
}
