/**
 * The Anthropic Message Batches API of the simulator (research §B): create with inline requests,
 * retrieve, list (newest first, `after_id`/`before_id`), cancel, delete, and the results JSONL
 * at `results_url` once processing has ended. Every request must name `anthropic-version`.
 * Counts other than `processing` stay 0 until the batch ends, as on the real API.
 */
import { advance, lineCounts, scheduleLines, simId, DEFAULT_TURNAROUND_S, type SimBatch } from './batch-store'
import { runAnthropicLine } from './batch-lines'
import { behaviourFor } from './faults'
import { serveWithFaults } from './pipeline'
import { anthropicError, jsonResponse, type SimContext, type SimRoute } from './respond'

const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

/** Routes under `${prefix}/v1/messages/batches`. */
export function anthropicBatchRoutes(prefix: string): SimRoute[] {
  const base = `${prefix}/v1/messages/batches`
  const results = (ctx: SimContext, b: SimBatch) => `${new URL(ctx.request.url).origin}${base}/${b.id}/results`
  const show = async (ctx: SimContext, b: SimBatch) => jsonResponse(present(await advanced(ctx, b), results(ctx, b)))
  return [
    { method: 'POST', pattern: base, handle: async (ctx) => {
      const text = await ctx.request.text()
      return guarded(ctx, firstModel(text), () => create(ctx, text, results))
    } },
    { method: 'GET', pattern: base, handle: (ctx) => guarded(ctx, undefined, () => list(ctx, results)) },
    { method: 'GET', pattern: `${base}/:id`, handle: (ctx) => withBatch(ctx, (b) => show(ctx, b)) },
    { method: 'POST', pattern: `${base}/:id/cancel`, handle: (ctx) => withBatch(ctx, async (b) => {
      await advanced(ctx, b)
      if (!b.end && b.cancelRequestedAt === null) b.cancelRequestedAt = ctx.now()
      return jsonResponse(present(b, results(ctx, b)))
    }) },
    { method: 'DELETE', pattern: `${base}/:id`, handle: (ctx) => withBatch(ctx, async (b) => {
      await advanced(ctx, b)
      if (!b.end) return anthropicError(400, `Batch ${b.id} is still processing; cancel it and wait for it to end before deleting it.`)
      ctx.state.batch.batches.delete(b.id)
      return jsonResponse({ id: b.id, type: 'message_batch_deleted' })
    }) },
    { method: 'GET', pattern: `${base}/:id/results`, handle: (ctx) => withBatch(ctx, async (b) => {
      await advanced(ctx, b)
      if (!b.end) return anthropicError(400, `Batch ${b.id} has not ended yet; results are available once processing_status is "ended".`)
      const body = b.lines.map((l) => JSON.stringify({ custom_id: l.customId, ...(l.result?.ran ? l.result.wire : { result: { type: l.result?.ran === false && l.result.why === 'cancelled' ? 'canceled' : 'expired' } }) })).join('\n') + '\n'
      return new Response(body, { headers: { 'content-type': 'application/binary' } })
    }) },
  ]
}

/** Faults (Anthropic envelope) plus the `anthropic-version` header every call must carry. */
function guarded(ctx: SimContext, model: string | undefined, answer: () => Response | Promise<Response>): Promise<Response> {
  return serveWithFaults(ctx, model, () => (ctx.request.headers.get('anthropic-version') ? answer() : anthropicError(400, 'anthropic-version: header is required')), { countModel: false, envelope: 'anthropic' })
}

function withBatch(ctx: SimContext, fn: (b: SimBatch) => Response | Promise<Response>): Promise<Response> {
  const batch = ctx.state.batch.batches.get(decodeURIComponent(ctx.params.id ?? ''))
  return guarded(ctx, batch?.model, () => (batch && batch.dialect === 'anthropic' ? fn(batch) : anthropicError(404, `No message batch with id ${ctx.params.id}.`)))
}

async function advanced(ctx: SimContext, batch: SimBatch): Promise<SimBatch> {
  await advance(batch, ctx.now(), async (line) => runAnthropicLine(ctx.state, batch, line), () => {})
  return batch
}

/** The model of the first request in a create body, for per-model faults (undefined when unreadable). */
function firstModel(text: string): string | undefined {
  try {
    const model = (JSON.parse(text) as { requests?: Array<{ params?: { model?: unknown } }> }).requests?.[0]?.params?.model
    return typeof model === 'string' ? model : undefined
  } catch {
    return undefined
  }
}

async function create(ctx: SimContext, text: string, results: (ctx: SimContext, b: SimBatch) => string): Promise<Response> {
  const limits = ctx.state.batch.limits.anthropic
  if (Buffer.byteLength(text) > limits.maxBytes) return anthropicError(413, `Request exceeds the maximum size of ${limits.maxBytes} bytes.`)
  let body: { requests?: unknown }
  try {
    body = JSON.parse(text)
  } catch {
    return anthropicError(400, 'The request body is not valid JSON.')
  }
  const requests = body?.requests
  if (!Array.isArray(requests) || requests.length === 0) return anthropicError(400, 'requests: a non-empty list is required')
  if (requests.length > limits.maxRequests) return anthropicError(400, `requests: at most ${limits.maxRequests} requests per batch (got ${requests.length})`)
  const seen = new Set<string>()
  for (const [i, r] of requests.entries()) {
    const customId = (r as { custom_id?: unknown })?.custom_id
    if (typeof customId !== 'string' || !CUSTOM_ID.test(customId)) return anthropicError(400, `requests.${i}.custom_id: must match ^[a-zA-Z0-9_-]{1,64}$`)
    if (seen.has(customId)) return anthropicError(400, `requests.${i}.custom_id: '${customId}' is not unique in the batch`)
    seen.add(customId)
    const params = (r as { params?: unknown }).params
    if (params === null || typeof params !== 'object' || Array.isArray(params)) return anthropicError(400, `requests.${i}.params: Field required`)
  }
  const lines = (requests as { custom_id: string; params: Record<string, unknown> }[]).map((r) => ({ customId: r.custom_id, body: r.params, finishAt: Number.POSITIVE_INFINITY }))
  const first = lines[0]!.body.model
  const model = typeof first === 'string' ? first : undefined
  const b = behaviourFor(ctx.state.scenario, model)
  const batch: SimBatch = { id: simId('msgbatch_'), dialect: 'anthropic', model, createdAt: ctx.now(), turnaroundMs: (b.turnaround_s ?? DEFAULT_TURNAROUND_S) * 1000, lines, cancelRequestedAt: null, endedAt: null, end: null, errors: [] }
  scheduleLines(batch, b.expire === true)
  ctx.state.batch.batches.set(batch.id, batch)
  return jsonResponse(present(batch, results(ctx, batch)))
}

async function list(ctx: SimContext, results: (ctx: SimContext, b: SimBatch) => string): Promise<Response> {
  const q = new URL(ctx.request.url).searchParams
  const limit = Math.min(1000, Math.max(1, Number(q.get('limit') ?? 20) || 20))
  let all = [...ctx.state.batch.batches.values()].filter((b) => b.dialect === 'anthropic').reverse()
  for (const b of all) await advanced(ctx, b)
  const after = q.get('after_id')
  const before = q.get('before_id')
  if (after) all = all.slice(all.findIndex((b) => b.id === after) + 1)
  let page = all.slice(0, limit)
  if (before) {
    const end = all.findIndex((b) => b.id === before)
    page = all.slice(Math.max(0, end - limit), Math.max(0, end))
  }
  const hasMore = before ? all.findIndex((b) => b.id === page[0]?.id) > 0 : all.length > page.length
  return jsonResponse({ data: page.map((b) => present(b, results(ctx, b))), has_more: hasMore, first_id: page[0]?.id ?? null, last_id: page[page.length - 1]?.id ?? null })
}

/** The `MessageBatch` object (research §B.3). */
function present(batch: SimBatch, resultsUrl: string) {
  const c = lineCounts(batch)
  const ended = batch.end !== null
  return {
    id: batch.id, type: 'message_batch',
    processing_status: ended ? 'ended' : batch.cancelRequestedAt !== null ? 'canceling' : 'in_progress',
    request_counts: ended ? { processing: 0, succeeded: c.ok, errored: c.failed, canceled: c.cancelled, expired: c.expired } : { processing: batch.lines.length, succeeded: 0, errored: 0, canceled: 0, expired: 0 },
    created_at: iso(batch.createdAt), expires_at: iso(batch.createdAt + 24 * 3600 * 1000), ended_at: iso(batch.endedAt),
    cancel_initiated_at: iso(batch.cancelRequestedAt), archived_at: null, results_url: ended ? resultsUrl : null,
  }
}
