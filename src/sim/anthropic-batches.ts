/**
 * The Anthropic Message Batches API of the simulator (research §B): create with inline requests,
 * retrieve, list (newest first, `after_id`/`before_id`), cancel, delete, and the results JSONL
 * at `results_url` once processing has ended. Every request must name `anthropic-version`.
 * Counts other than `processing` stay 0 until the batch ends, as on the real API. A batch under
 * `lose_batches` answers 404 once forgotten, like an id the provider never had.
 */
import { advance, createBatch, recordRetrieve } from './batch-lifecycle'
import { runAnthropicLine } from './batch-lines'
import { lineVariant, servedLine } from './batch-faults'
import type { SimBatch } from './batch-store'
import { behaviourFor } from './faults'
import { simId } from './ids'
import { serveWithFaults } from './pipeline'
import { anthropicError, jsonResponse, type SimContext, type SimRoute } from './respond'
import type { SimState } from './state'

const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

/** Routes under `${prefix}/v1/messages/batches`. */
export function anthropicBatchRoutes(prefix: string): SimRoute[] {
  const base = `${prefix}/v1/messages/batches`
  const resultsUrl = (ctx: SimContext, id: string) => `${new URL(ctx.request.url).origin}${base}/${id}/results`
  const show = (ctx: SimContext, b: SimBatch) => jsonResponse(present(ctx.state, b, resultsUrl(ctx, b.id)))
  return [
    { method: 'POST', pattern: base, handle: async (ctx) => {
      const text = await ctx.request.text()
      const body = parseBody(text)
      return guarded(ctx, firstModel(body), () => create(ctx, text, body, (id) => resultsUrl(ctx, id)))
    } },
    { method: 'GET', pattern: base, handle: (ctx) => guarded(ctx, undefined, () => list(ctx, (id) => resultsUrl(ctx, id))) },
    { method: 'GET', pattern: `${base}/:id`, handle: (ctx) => withBatch(ctx, (b) => {
      const response = show(ctx, b)
      recordRetrieve(ctx.state.batch, b)
      return response
    }) },
    { method: 'POST', pattern: `${base}/:id/cancel`, handle: (ctx) => withBatch(ctx, (b) => {
      if (!b.end && b.cancelRequestedAt === null) ctx.state.batch.batches.requestCancel(b.id, ctx.now())
      return show(ctx, ctx.state.batch.batches.get(b.id)!)
    }) },
    { method: 'DELETE', pattern: `${base}/:id`, handle: (ctx) => withBatch(ctx, (b) => {
      if (!b.end) return anthropicError(400, `Batch ${b.id} is still processing; cancel it and wait for it to end before deleting it.`)
      ctx.state.batch.batches.delete(b.id)
      return jsonResponse({ id: b.id, type: 'message_batch_deleted' })
    }) },
    { method: 'GET', pattern: `${base}/:id/results`, handle: (ctx) => withBatch(ctx, (b) => {
      if (!b.end) return anthropicError(400, `Batch ${b.id} has not ended yet; results are available once processing_status is "ended".`)
      return new Response(resultsBody(ctx.state, b), { headers: { 'content-type': 'application/binary' } })
    }) },
  ]
}

/** Faults (Anthropic envelope) plus the `anthropic-version` header every call must carry. */
function guarded(ctx: SimContext, model: string | undefined, answer: () => Response | Promise<Response>): Promise<Response> {
  return serveWithFaults(ctx, model, () => (ctx.request.headers.get('anthropic-version') ? answer() : anthropicError(400, 'anthropic-version: header is required')), { countModel: false, envelope: 'anthropic' })
}

/** Faults for the batch's model, then `fn` on the advanced batch — one call per batch at a time. */
function withBatch(ctx: SimContext, fn: (b: SimBatch) => Response): Promise<Response> {
  const id = decodeURIComponent(ctx.params.id ?? '')
  return guarded(ctx, ctx.state.batch.batches.get(id)?.model, () => ctx.state.batch.serialized(id, async () => {
    const batch = await advanced(ctx, id)
    return batch && batch.dialect === 'anthropic' ? fn(batch) : anthropicError(404, `No message batch with id ${ctx.params.id}.`)
  }))
}

function advanced(ctx: SimContext, id: string): Promise<SimBatch | undefined> {
  return advance(ctx.state.batch, id, ctx.now(), async (batch, line) => runAnthropicLine(ctx.state, batch, line))
}

/** The results JSONL, streamed from the stored line results (`malformed_results_rate` applied). */
function resultsBody(state: SimState, batch: SimBatch): ReadableStream<Uint8Array> {
  const lines = state.batch.batches.results(batch.id)
  const encoder = new TextEncoder()
  return new ReadableStream({
    pull(controller) {
      let chunk = ''
      for (let next = lines.next(); !next.done; next = lines.next()) {
        const line = next.value
        const result = line.result
        const wire = result?.ran ? result.wire : { result: { type: result?.ran === false && result.why === 'cancelled' ? 'canceled' : 'expired' } }
        chunk += servedLine(lineVariant(batch, line.customId, result), line.customId, JSON.stringify({ custom_id: line.customId, ...wire })) + '\n'
        if (chunk.length >= 64 * 1024) break
      }
      if (chunk) controller.enqueue(encoder.encode(chunk))
      else controller.close()
    },
  })
}

/** A create body parsed once (undefined when it is not JSON). */
function parseBody(text: string): { requests?: unknown } | undefined {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** The model of the first request in a create body, for per-model faults (undefined when unreadable). */
function firstModel(body: { requests?: unknown } | undefined): string | undefined {
  const model = (body?.requests as Array<{ params?: { model?: unknown } }> | undefined)?.[0]?.params?.model
  return typeof model === 'string' ? model : undefined
}

async function create(ctx: SimContext, text: string, body: { requests?: unknown } | undefined, resultsUrl: (id: string) => string): Promise<Response> {
  const store = ctx.state.batch
  const limits = store.limits.anthropic
  if (Buffer.byteLength(text) > limits.maxBytes) return anthropicError(413, `Request exceeds the maximum size of ${limits.maxBytes} bytes.`)
  if (body === undefined) return anthropicError(400, 'The request body is not valid JSON.')
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
  const lines = (requests as { custom_id: string; params: Record<string, unknown> }[]).map((r) => ({ customId: r.custom_id, body: r.params }))
  const first = lines[0]!.body.model
  const model = typeof first === 'string' ? first : undefined
  const batch = createBatch(store, behaviourFor(ctx.state.scenario, model), { id: simId('msgbatch_'), dialect: 'anthropic', model, createdAt: ctx.now(), errors: [] }, lines)
  return jsonResponse(present(ctx.state, batch, resultsUrl(batch.id)))
}

async function list(ctx: SimContext, resultsUrl: (id: string) => string): Promise<Response> {
  const q = new URL(ctx.request.url).searchParams
  const limit = Math.min(1000, Math.max(1, Number(q.get('limit') ?? 20) || 20))
  const before = q.get('before_id')
  const { batches, more } = ctx.state.batch.batches.page('anthropic', { after: q.get('after_id'), before, limit })
  const current = await Promise.all(batches.map((b) => ctx.state.batch.serialized(b.id, () => advanced(ctx, b.id))))
  const page = current.filter((b): b is SimBatch => b !== undefined)
  return jsonResponse({ data: page.map((b) => present(ctx.state, b, resultsUrl(b.id))), has_more: more, first_id: page[0]?.id ?? null, last_id: page[page.length - 1]?.id ?? null })
}

/** The `MessageBatch` object (research §B.3). */
function present(state: SimState, batch: SimBatch, resultsUrl: string) {
  const c = state.batch.batches.counts(batch.id)
  const ended = batch.end !== null
  return {
    id: batch.id, type: 'message_batch',
    processing_status: ended ? 'ended' : batch.cancelRequestedAt !== null ? 'canceling' : 'in_progress',
    request_counts: ended ? { processing: 0, succeeded: c.ok, errored: c.failed, canceled: c.cancelled, expired: c.expired } : { processing: batch.lineCount, succeeded: 0, errored: 0, canceled: 0, expired: 0 },
    created_at: iso(batch.createdAt), expires_at: iso(batch.createdAt + 24 * 3600 * 1000), ended_at: iso(batch.endedAt),
    cancel_initiated_at: iso(batch.cancelRequestedAt), archived_at: null, results_url: ended ? resultsUrl : null,
  }
}
