/**
 * The OpenAI Batch API of the simulator (research §A.3–A.5): create from an uploaded JSONL file,
 * retrieve, list (cursor `after`), cancel. Status moves over simulated time: validating →
 * in_progress → finalizing → completed (or failed on invalid input or `fail_batch`, expired with
 * `expire`, cancelling → cancelled). Output and error files appear when the batch ends. A batch
 * under `lose_batches` answers 404 once forgotten, like an id the provider never had.
 */
import { advance, createBatch, recordRetrieve } from './batch-lifecycle'
import { openAiBatchFailure } from './batch-faults'
import { runOpenAiLine } from './batch-lines'
import type { SimBatch } from './batch-store'
import { behaviourFor } from './faults'
import { simId } from './ids'
import { parseInputFile } from './openai-batch-input'
import { presentBatch, writeOutputFiles } from './openai-batch-output'
import { serveWithFaults } from './pipeline'
import { invalidRequest, jsonResponse, openAiError, readJsonObject, type SimContext, type SimRoute } from './respond'

const ENDPOINTS = new Set(['/v1/chat/completions', '/v1/embeddings'])

/** Routes of the Batch API under `${prefix}/v1/batches`. */
export function openAiBatchRoutes(prefix: string): SimRoute[] {
  const base = `${prefix}/v1/batches`
  return [
    { method: 'POST', pattern: base, handle: create },
    { method: 'GET', pattern: base, handle: (ctx) => serveWithFaults(ctx, undefined, () => list(ctx), { countModel: false }) },
    { method: 'GET', pattern: `${base}/:id`, handle: (ctx) => withBatch(ctx, (b) => retrieve(ctx, b)) },
    { method: 'POST', pattern: `${base}/:id/cancel`, handle: (ctx) => withBatch(ctx, (b) => cancel(ctx, b)) },
  ]
}

async function create(ctx: SimContext): Promise<Response> {
  const read = await readJsonObject(ctx.request)
  const store = ctx.state.batch
  const file = read.ok && typeof read.body.input_file_id === 'string' ? store.files.get(read.body.input_file_id) : undefined
  const input = file && read.ok ? parseInputFile(store.files.content(file.id), String(read.body.endpoint), store.limits.openai) : undefined
  return serveWithFaults(ctx, input?.model, () => {
    if (!read.ok) return read.response
    const body = read.body
    if (!file || !input) return invalidRequest(`No such File object: ${String(body.input_file_id)}`, 'input_file_id')
    if (file.purpose !== 'batch') return invalidRequest('The input file must have purpose "batch".', 'input_file_id')
    if (typeof body.endpoint !== 'string' || !ENDPOINTS.has(body.endpoint)) return invalidRequest(`endpoint must be one of ${[...ENDPOINTS].join(', ')} (simulator).`, 'endpoint', 'unsupported_value')
    if (body.completion_window !== '24h') return invalidRequest("completion_window must be '24h'.", 'completion_window')
    const metadata = checkMetadata(body.metadata)
    if (metadata === false) return invalidRequest('metadata holds at most 16 string values (keys ≤ 64, values ≤ 512 characters).', 'metadata')
    const b = behaviourFor(ctx.state.scenario, input.model)
    const errors = input.errors.length > 0 || !b.fail_batch ? input.errors : [openAiBatchFailure(input.model)]
    const batch = createBatch(store, b, {
      id: simId('batch_'), dialect: 'openai', model: input.model, createdAt: ctx.now(), errors,
      openai: { endpoint: body.endpoint, inputFileId: file.id, completionWindow: '24h', metadata: metadata ?? null, outputFileId: null, errorFileId: null },
    }, input.lines)
    return jsonResponse(presentBatch(ctx.state, batch, ctx.now()))
  }, { countModel: false })
}

function checkMetadata(raw: unknown): Record<string, string> | undefined | false {
  if (raw === undefined || raw === null) return undefined
  if (typeof raw !== 'object' || Array.isArray(raw)) return false
  const entries = Object.entries(raw as Record<string, unknown>)
  if (entries.length > 16 || entries.some(([k, v]) => k.length > 64 || typeof v !== 'string' || v.length > 512)) return false
  return raw as Record<string, string>
}

/** Faults for the batch's model, then `fn` on the advanced batch — one call per batch at a time. */
function withBatch(ctx: SimContext, fn: (batch: SimBatch) => Response): Promise<Response> {
  const id = decodeURIComponent(ctx.params.id ?? '')
  const model = ctx.state.batch.batches.get(id)?.model
  return serveWithFaults(ctx, model, () => ctx.state.batch.serialized(id, async () => {
    const batch = await advanced(ctx, id)
    // OpenAI's own 404 for an unknown (or lost) batch: invalid_request_error, no param, no code.
    if (!batch || batch.dialect !== 'openai') return openAiError(404, `No batch found with id '${ctx.params.id}'.`, { type: 'invalid_request_error' })
    return fn(batch)
  }), { countModel: false })
}

/** Runs what is due and writes the output/error files when the batch ends. */
function advanced(ctx: SimContext, id: string): Promise<SimBatch | undefined> {
  const now = ctx.now()
  return advance(ctx.state.batch, id, now, (batch, line) => runOpenAiLine(ctx.state, batch, line, now), (batch, end, at) => writeOutputFiles(ctx.state, batch, end, at))
}

function retrieve(ctx: SimContext, batch: SimBatch): Response {
  const response = jsonResponse(presentBatch(ctx.state, batch, ctx.now()))
  recordRetrieve(ctx.state.batch, batch)
  return response
}

function cancel(ctx: SimContext, batch: SimBatch): Response {
  if (batch.end || batch.cancelRequestedAt !== null) return invalidRequest(`Cannot cancel a batch with status '${presentBatch(ctx.state, batch, ctx.now()).status}'.`, null, 'batch_not_cancellable')
  ctx.state.batch.batches.requestCancel(batch.id, ctx.now())
  return jsonResponse(presentBatch(ctx.state, ctx.state.batch.batches.get(batch.id)!, ctx.now()))
}

/** Newest first, `after` = the last id of the previous page; the page's batches are advanced first. */
async function list(ctx: SimContext): Promise<Response> {
  const q = new URL(ctx.request.url).searchParams
  const limit = Math.min(100, Math.max(1, Number(q.get('limit') ?? 20) || 20))
  const { batches, more } = ctx.state.batch.batches.page('openai', { after: q.get('after'), limit })
  const current = await Promise.all(batches.map((b) => ctx.state.batch.serialized(b.id, () => advanced(ctx, b.id))))
  const page = current.filter((b): b is SimBatch => b !== undefined)
  return jsonResponse({ object: 'list', data: page.map((b) => presentBatch(ctx.state, b, ctx.now())), first_id: page[0]?.id ?? null, last_id: page[page.length - 1]?.id ?? null, has_more: more })
}
