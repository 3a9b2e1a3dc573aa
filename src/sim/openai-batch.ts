/**
 * The OpenAI Batch API of the simulator (research §A.3–A.5): create from an uploaded JSONL file,
 * retrieve, list (cursor `after`), cancel. Status moves over simulated time: validating →
 * in_progress → finalizing → completed (or failed on invalid input, expired with `expire`,
 * cancelling → cancelled). Output and error files appear when the batch ends.
 */
import { advance, lineCounts, phaseOf, scheduleLines, simId, DEFAULT_TURNAROUND_S, type SimBatch, type SimBatchLine } from './batch-store'
import { runOpenAiLine } from './batch-lines'
import { behaviourFor } from './faults'
import { storeFile } from './openai-files'
import { serveWithFaults } from './pipeline'
import { invalidRequest, jsonResponse, openAiError, readJsonObject, type SimContext, type SimRoute } from './respond'
import type { SimState } from './state'
import { parseInputFile } from './openai-batch-input'

const ENDPOINTS = new Set(['/v1/chat/completions', '/v1/embeddings'])

/** Routes of the Batch API under `${prefix}/v1/batches`. */
export function openAiBatchRoutes(prefix: string): SimRoute[] {
  const base = `${prefix}/v1/batches`
  return [
    { method: 'POST', pattern: base, handle: create },
    { method: 'GET', pattern: base, handle: (ctx) => serveWithFaults(ctx, undefined, async () => list(ctx, await Promise.all(openAiBatches(ctx.state).map((b) => advanced(ctx, b)))), { countModel: false }) },
    { method: 'GET', pattern: `${base}/:id`, handle: (ctx) => withBatch(ctx, async (b) => jsonResponse(present(await advanced(ctx, b), ctx.now()))) },
    { method: 'POST', pattern: `${base}/:id/cancel`, handle: (ctx) => withBatch(ctx, (b) => cancel(ctx, b)) },
  ]
}

async function create(ctx: SimContext): Promise<Response> {
  const read = await readJsonObject(ctx.request)
  const file = read.ok && typeof read.body.input_file_id === 'string' ? ctx.state.batch.files.get(read.body.input_file_id) : undefined
  const input = file && read.ok ? parseInputFile(file.content, String(read.body.endpoint), ctx.state.batch.limits.openai) : undefined
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
    const batch: SimBatch = {
      id: simId('batch_'), dialect: 'openai', model: input.model, createdAt: ctx.now(), turnaroundMs: (b.turnaround_s ?? DEFAULT_TURNAROUND_S) * 1000,
      lines: input.lines.map((l): SimBatchLine => ({ customId: l.customId, body: l.body, finishAt: Number.POSITIVE_INFINITY })),
      cancelRequestedAt: null, endedAt: null, end: null, errors: input.errors,
      openai: { endpoint: body.endpoint, inputFileId: file.id, completionWindow: '24h', metadata: metadata ?? null, outputFileId: null, errorFileId: null },
    }
    scheduleLines(batch, b.expire === true)
    ctx.state.batch.batches.set(batch.id, batch)
    return jsonResponse(present(batch, ctx.now()))
  }, { countModel: false })
}

function checkMetadata(raw: unknown): Record<string, string> | undefined | false {
  if (raw === undefined || raw === null) return undefined
  if (typeof raw !== 'object' || Array.isArray(raw)) return false
  const entries = Object.entries(raw as Record<string, unknown>)
  if (entries.length > 16 || entries.some(([k, v]) => k.length > 64 || typeof v !== 'string' || v.length > 512)) return false
  return raw as Record<string, string>
}

function withBatch(ctx: SimContext, fn: (batch: SimBatch) => Response | Promise<Response>): Promise<Response> {
  const batch = ctx.state.batch.batches.get(decodeURIComponent(ctx.params.id ?? ''))
  return serveWithFaults(ctx, batch?.model, () => {
    if (!batch || batch.dialect !== 'openai') return openAiError(404, `No batch found with id '${ctx.params.id}'.`, { param: 'batch_id', code: 'batch_not_found' })
    return fn(batch)
  }, { countModel: false })
}

/** Runs what is due and writes the output/error files when the batch ends. */
async function advanced(ctx: SimContext, batch: SimBatch): Promise<SimBatch> {
  const now = ctx.now()
  await advance(batch, now, (line) => runOpenAiLine(ctx.state, batch, line, now), (b) => writeFiles(ctx.state, b, now))
  return batch
}

async function cancel(ctx: SimContext, batch: SimBatch): Promise<Response> {
  await advanced(ctx, batch)
  if (batch.end || batch.cancelRequestedAt !== null) return invalidRequest(`Cannot cancel a batch with status '${present(batch, ctx.now()).status}'.`, null, 'batch_not_cancellable')
  batch.cancelRequestedAt = ctx.now()
  return jsonResponse(present(batch, ctx.now()))
}

function openAiBatches(state: SimState): SimBatch[] {
  return [...state.batch.batches.values()].filter((b) => b.dialect === 'openai')
}

/** Newest first, `after` = the last id of the previous page. */
function list(ctx: SimContext, all: SimBatch[]): Response {
  const q = new URL(ctx.request.url).searchParams
  const limit = Math.min(100, Math.max(1, Number(q.get('limit') ?? 20) || 20))
  let batches = [...all].reverse()
  const after = q.get('after')
  if (after) batches = batches.slice(batches.findIndex((b) => b.id === after) + 1)
  const page = batches.slice(0, limit)
  return jsonResponse({ object: 'list', data: page.map((b) => present(b, ctx.now())), first_id: page[0]?.id ?? null, last_id: page[page.length - 1]?.id ?? null, has_more: batches.length > page.length })
}

function writeFiles(state: SimState, batch: SimBatch, now: number): void {
  if (!batch.openai || batch.end === 'failed') return
  const ok: string[] = []
  const failed: string[] = []
  for (const line of batch.lines) {
    const r = line.result
    if (!r) continue
    const id = `batch_req_${simId('').slice(0, 20)}`
    if (r.ran) (r.ok ? ok : failed).push(JSON.stringify({ id, custom_id: line.customId, ...r.wire }))
    else failed.push(JSON.stringify({ id, custom_id: line.customId, response: null, error: { code: r.why === 'expired' ? 'batch_expired' : 'batch_cancelled', message: r.why === 'expired' ? 'This request could not be executed before the completion window expired.' : 'This request was not executed because the batch was cancelled.' } }))
  }
  const file = (lines: string[], kind: string) => (lines.length === 0 ? null : storeFile(state, { filename: `${batch.id}_${kind}.jsonl`, purpose: 'batch_output', content: new TextEncoder().encode(lines.join('\n') + '\n'), createdAt: now }).id)
  batch.openai.outputFileId = file(ok, 'output')
  batch.openai.errorFileId = file(failed, 'error')
}

/** The `Batch` object as OpenAI answers it (research §A.3). */
export function present(batch: SimBatch, now: number) {
  const o = batch.openai!
  const s = (ms: number | null) => (ms === null ? null : Math.floor(ms / 1000))
  const c = lineCounts(batch)
  const status = batch.end ?? (batch.cancelRequestedAt !== null ? 'cancelling' : phaseOf(batch, now))
  const inProgressAt = batch.errors.length === 0 && status !== 'validating' ? batch.createdAt + batch.turnaroundMs * 0.1 : null
  return {
    id: batch.id, object: 'batch', endpoint: o.endpoint, model: batch.model ?? null,
    errors: batch.errors.length > 0 ? { object: 'list', data: batch.errors } : null,
    input_file_id: o.inputFileId, completion_window: o.completionWindow, status,
    output_file_id: o.outputFileId, error_file_id: o.errorFileId,
    created_at: s(batch.createdAt), in_progress_at: s(inProgressAt), expires_at: s(batch.createdAt)! + 24 * 3600,
    finalizing_at: batch.end === 'completed' || status === 'finalizing' ? s(batch.createdAt + batch.turnaroundMs * 0.9) : null,
    completed_at: batch.end === 'completed' ? s(batch.endedAt) : null, failed_at: batch.end === 'failed' ? s(batch.endedAt) : null,
    expired_at: batch.end === 'expired' ? s(batch.endedAt) : null, cancelling_at: s(batch.cancelRequestedAt), cancelled_at: batch.end === 'cancelled' ? s(batch.endedAt) : null,
    request_counts: { total: batch.lines.length, completed: c.ok, failed: c.failed + (batch.end ? c.expired + c.cancelled : 0) },
    metadata: o.metadata,
  }
}
