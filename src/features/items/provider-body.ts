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
  const envelope = readEnvelope(line as Record<string, unknown>)
  if (!envelope.ok) throw new Error(`item ${itemId}: ${envelope.problem.message}`)
  const request = readRequest(envelope.value, draft.url)
  if (!request.ok) throw new Error(`item ${itemId}: ${request.problem.message}`)
  const view = request.value
  const body = view.kind === 'embeddings' ? { ...view.params } : { ...view.params, messages: await resolveImages(view.messages, resolveImage) }
  return { itemId, operation: draft.operation, url: draft.url, model: upstreamModel, body }
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
