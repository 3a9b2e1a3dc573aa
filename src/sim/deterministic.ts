/**
 * The simulator's pure core: hashing, a seeded PRNG, token counting and the outputs it derives
 * from a request. Nothing here does I/O or reads the clock, so the same input always gives the
 * same output.
 *
 * Token-count rule (documented for tests and quotes that compare against it):
 * - text: `ceil(chars / 4)` tokens for a string (0 for the empty string);
 * - chat prompt: for each message `4 + ceil(textChars / 4) + 85 × images`, where `textChars`
 *   is the length of all its text (string content, `text` parts, plus the JSON of its
 *   `tool_calls` and its `name`), then `+ ceil(JSON(tools).length / 4)` when tools are given;
 * - completion: `ceil(chars / 4)` of the generated content (for tool calls: of name + arguments);
 * - embeddings: `ceil(chars / 4)` per string input (at least 1), the array length per token-id input.
 */

/** Fixed token cost of one `image_url` part (OpenAI's low-detail image cost). */
export const IMAGE_TOKENS = 85
/** Per-message overhead in the prompt count. */
export const MESSAGE_OVERHEAD_TOKENS = 4
/** Characters of the last user message echoed in a simulated reply. */
export const ECHO_CHARS = 60

/** Vector size per embedding model when the request names no `dimensions`. */
export const EMBEDDING_DIMENSIONS: Readonly<Record<string, number>> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
  'nomic-embed-text': 768,
  'nomic-embed-text-v1.5': 768,
}
/** Vector size for an embedding model missing from EMBEDDING_DIMENSIONS. */
export const DEFAULT_EMBEDDING_DIMENSIONS = 256

/** 32-bit FNV-1a over the string's UTF-16 code units: stable across runtimes and versions. */
export function hash32(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1); the same seed gives the same stream. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Lower-case hex of a 32-bit hash of `text`, padded to 8 characters. */
export function hashHex(text: string): string {
  return hash32(text).toString(16).padStart(8, '0')
}

/** `ceil(chars / 4)`: the simulator's token estimate for a piece of text. */
export function textTokens(text: string): number {
  return Math.ceil(text.length / 4)
}

/** One chat message as the simulator reads it (already validated). */
export interface SimMessage {
  role: string
  text: string
  images: number
  /** Extra characters counted in the prompt (tool_calls JSON, name). */
  extraChars: number
}

/** Prompt tokens of a chat request under the rule in this file's header. */
export function promptTokens(messages: readonly SimMessage[], tools?: unknown[]): number {
  let total = 0
  for (const m of messages) total += MESSAGE_OVERHEAD_TOKENS + Math.ceil((m.text.length + m.extraChars) / 4) + IMAGE_TOKENS * m.images
  if (tools && tools.length > 0) total += textTokens(JSON.stringify(tools))
  return total
}

/** The text a reply echoes: the last user message, else the last message with any text. */
export function echoSource(messages: readonly SimMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === 'user') return messages[i]!.text
  return messages[messages.length - 1]?.text ?? ''
}

/** The deterministic reply: `Simulated reply to: <first 60 chars of the echoed text>`. */
export function replyText(messages: readonly SimMessage[]): string {
  return `Simulated reply to: ${echoSource(messages).slice(0, ECHO_CHARS)}`
}

/** Cuts `text` so it fits `maxTokens` under the chars/4 rule; `truncated` says whether it was cut. */
export function truncateToTokens(text: string, maxTokens: number | undefined): { text: string; truncated: boolean } {
  if (maxTokens === undefined || textTokens(text) <= maxTokens) return { text, truncated: false }
  return { text: text.slice(0, maxTokens * 4), truncated: true }
}

/** Vector size for `model`: the request's `dimensions`, else the per-model table, else 256. */
export function embeddingDimensions(model: string, requested?: number): number {
  return requested ?? EMBEDDING_DIMENSIONS[model] ?? DEFAULT_EMBEDDING_DIMENSIONS
}

/** A unit-length (L2-normalised) vector seeded from hash(model + input); same input, same vector. */
export function embeddingVector(model: string, input: string, dimensions: number): number[] {
  const random = mulberry32(hash32(`${model}\u0000${input}`))
  const vector = new Array<number>(dimensions)
  let sumSquares = 0
  for (let i = 0; i < dimensions; i++) {
    const v = random() * 2 - 1
    vector[i] = v
    sumSquares += v * v
  }
  const norm = Math.sqrt(sumSquares) || 1
  for (let i = 0; i < dimensions; i++) vector[i] = vector[i]! / norm
  return vector
}

/** The vector as OpenAI's `encoding_format: "base64"` sends it: little-endian float32 bytes. */
export function encodeVectorBase64(vector: readonly number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString('base64')
}
