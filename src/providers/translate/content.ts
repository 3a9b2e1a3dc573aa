/** Shared pieces of the chat ⇄ Anthropic translation: the refusal shape, content parts, images. */

export type Json = Record<string, unknown>
/** An Anthropic content block (text, image, tool_use, tool_result). */
export type Block = Json & { type: string }

/** Routing rejection codes a refusal maps to (features/routing/vocabulary.ts REJECTION_CODES). */
export const REFUSAL_CODES = [
  'tool_support', // a tool feature Anthropic cannot express (strict tools, non-function tools, bad tool_call arguments)
  'operation_unsupported', // any other chat feature with no Anthropic equivalent (n > 1, logprobs, response_format, …)
] as const

/** Why a request cannot be translated: the rejection code, the chat feature, and a message for humans. */
export interface Refusal {
  code: (typeof REFUSAL_CODES)[number]
  feature: string
  message: string
}

export function refusal(code: Refusal['code'], feature: string, message: string): Refusal {
  return { code, feature, message }
}

/** A message `content` as a list of parts: a string becomes one text part; null/absent none. */
export function asContentParts(content: unknown): Json[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }]
  if (Array.isArray(content)) return content as Json[]
  return []
}

/** Image media types Anthropic accepts (research §F). */
export const ANTHROPIC_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const

/** An image block for an `image_url` URL: base64 data URLs and http(s) URLs; anything else is refused. */
export function imageBlock(url: string): { ok: true; block: Block } | { ok: false; refusal: Refusal } {
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(url)
  if (data) {
    const mediaType = data[1]!.toLowerCase()
    if (!(ANTHROPIC_IMAGE_TYPES as readonly string[]).includes(mediaType)) {
      return { ok: false, refusal: refusal('operation_unsupported', 'image_url', `Anthropic accepts ${ANTHROPIC_IMAGE_TYPES.join(', ')} images, not ${mediaType}.`) }
    }
    return { ok: true, block: { type: 'image', source: { type: 'base64', media_type: mediaType, data: data[2]! } } }
  }
  if (/^https?:\/\//i.test(url)) return { ok: true, block: { type: 'image', source: { type: 'url', url } } }
  return { ok: false, refusal: refusal('operation_unsupported', 'image_url', 'Images must be base64 data: URLs or http(s) URLs to be sent to Anthropic.') }
}
