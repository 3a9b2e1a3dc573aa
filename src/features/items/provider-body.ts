/**
 * Item line → ProviderRequest at dispatch. Both line shapes go through the same canonical view
 * ingest validated (normalize.ts), so the upstream body is always an OpenAI chat-completions or
 * embeddings body:
 *
 * - chat (native responses/vision, `/v1/chat/completions`): `messages` plus every other chat
 *   parameter as given (max_tokens, temperature, top_p, stop, response_format, tools,
 *   tool_choice, seed, …); `model`, `stream` and `stream_options` are dropped.
 * - `/v1/responses` lines are converted from the Responses API to chat (responses-api.ts:
 *   `instructions` → system message, `input` → messages, `max_output_tokens` → max_tokens, …);
 *   `url` stays `/v1/responses` so the output can be shaped for that endpoint.
 * - `{type:"input_image", file_id}` parts become `{type:"image_url", image_url:{url: dataUrl}}`
 *   through `resolveImage` (each file resolved once per request).
 */
import type { ProviderRequest } from '../../providers/types'
import type { ChatMessage } from './line-shapes'
import { readEnvelope, readRequest } from './normalize'
import type { ItemDraft } from './types'
import { open } from 'node:fs/promises'
import { stripBom } from '../../lib/jsonl'

type ResolveImage = (fileId: string) => Promise<{ dataUrl: string }>

/**
 * The upstream request for one item. `upstreamModel` is the offering's model name. Throws Error
 * when the line no longer validates (the input file changed after ingest) or resolveImage throws.
 */
export async function toProviderRequest(
  itemId: string,
  draft: Pick<ItemDraft, 'operation' | 'url' | 'model'>,
  line: unknown,
  upstreamModel: string,
  resolveImage: ResolveImage,
): Promise<ProviderRequest> {
  if (typeof line !== 'object' || line === null || Array.isArray(line)) throw new Error(`item ${itemId}: the input line is not a JSON object`)
  const passed = passThroughChat(line as Record<string, unknown>, draft.url)
  if (passed) return { itemId, operation: draft.operation, url: draft.url, model: upstreamModel, body: passed }
  const envelope = readEnvelope(line as Record<string, unknown>)
  if (!envelope.ok) throw new Error(`item ${itemId}: ${envelope.problem.message}`)
  const request = readRequest(envelope.value, draft.url)
  if (!request.ok) throw new Error(`item ${itemId}: ${request.problem.message}`)
  const view = request.value
  const body = view.kind === 'embeddings' ? { ...view.params } : { ...view.params, messages: await resolveImages(view.messages, resolveImage) }
  return { itemId, operation: draft.operation, url: draft.url, model: upstreamModel, body }
}

/**
 * The dispatch hot path: an OpenAI chat-completions line without `input_image` parts goes upstream
 * as its own `body` minus `model`, `stream` and `stream_options` — exactly what the canonical view
 * gives for it — without validating it again and copying its messages (ingest validated the line
 * when it stored its byte range; the input file does not change). Undefined for any other line,
 * which takes the full path (Responses API conversion, image resolution, native shapes).
 */
function passThroughChat(line: Record<string, unknown>, url: string): Record<string, unknown> | undefined {
  if (url !== '/v1/chat/completions' || line.url !== url || typeof line.custom_id !== 'string' || line.method !== 'POST') return undefined
  const body = line.body
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined
  const messages = (body as { messages?: unknown }).messages
  if (!Array.isArray(messages) || messages.some(hasInputImage)) return undefined
  const { model: _model, stream: _stream, stream_options: _streamOptions, ...rest } = body as Record<string, unknown>
  return rest
}

function hasInputImage(message: unknown): boolean {
  const content = (message as { content?: unknown } | null)?.content
  return Array.isArray(content) && content.some((part) => (part as { type?: unknown } | null)?.type === 'input_image')
}

/** Copies of `messages` with every `input_image` part replaced by an `image_url` data-URL part. */
async function resolveImages(messages: ChatMessage[], resolveImage: ResolveImage): Promise<ChatMessage[]> {
  const cache = new Map<string, Promise<{ dataUrl: string }>>()
  const resolve = (fileId: string) => {
    let p = cache.get(fileId)
    if (!p) cache.set(fileId, (p = resolveImage(fileId)))
    return p
  }
  return Promise.all(
    messages.map(async (m) => {
      if (!Array.isArray(m.content) || !m.content.some((part) => part.type === 'input_image')) return m
      const content = await Promise.all(
        (m.content as Array<Record<string, unknown>>).map(async (part) => {
          if (part.type !== 'input_image') return part as { type: string }
          const { dataUrl } = await resolve(part.file_id as string)
          return { type: 'image_url', image_url: { url: dataUrl, ...(part.detail === undefined ? {} : { detail: part.detail }) } }
        }),
      )
      return { ...m, content }
    }),
  )
}

// ---- Reads item lines back from the input file at dispatch. One file handle, positional reads;
// ranges close together in the file (the usual case: a lane's items in input order) are read
// with one `read` and sliced.

/** Ranges are merged into one read while the span stays under this… */
const MAX_SPAN_BYTES = 4 * 1024 * 1024
/** …and the gap between them under this. */
const MAX_GAP_BYTES = 64 * 1024

interface Range {
  offset: number
  length: number
}

/**
 * The parsed JSON of each line, in the order of `ranges`. Throws when a range lies outside the
 * file or does not hold a JSON value (the file changed since ingest).
 */
export async function readItemLines(path: string, ranges: Range[]): Promise<unknown[]> {
  const out = new Array<unknown>(ranges.length)
  if (ranges.length === 0) return out
  const order = ranges.map((_, i) => i).sort((a, b) => ranges[a]!.offset - ranges[b]!.offset)
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
  const handle = await open(path, 'r')
  try {
    let i = 0
    while (i < order.length) {
      // Group sorted ranges into one span.
      const first = ranges[order[i]!]!
      let end = first.offset + first.length
      let j = i + 1
      while (j < order.length) {
        const next = ranges[order[j]!]!
        const nextEnd = Math.max(end, next.offset + next.length)
        if (next.offset - end > MAX_GAP_BYTES || nextEnd - first.offset > MAX_SPAN_BYTES) break
        end = nextEnd
        j++
      }
      const span = Buffer.allocUnsafe(end - first.offset)
      const { bytesRead } = await handle.read(span, 0, span.length, first.offset)
      if (bytesRead < span.length) throw new Error(`readItemLines: ${path} ends before byte ${end}`)
      for (let k = i; k < j; k++) {
        const index = order[k]!
        const r = ranges[index]!
        const text = decoder.decode(span.subarray(r.offset - first.offset, r.offset - first.offset + r.length))
        out[index] = JSON.parse(r.offset === 0 ? stripBom(text) : text)
      }
      i = j
    }
  } finally {
    await handle.close()
  }
  return out
}
