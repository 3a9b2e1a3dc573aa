/**
 * `POST /v1/embeddings` of the OpenAI-compatible dialect: validation and deterministic,
 * L2-normalised vectors of the model's dimension (float arrays, or base64 float32 on request).
 */
import { embeddingDimensions, embeddingVector, encodeVectorBase64, textTokens } from './deterministic'
import { invalidRequest } from './respond'

const MAX_DIMENSIONS = 16_384
const MAX_INPUTS = 2048

/** A validated embeddings request. Token-id inputs are kept as their JSON text. */
export interface SimEmbeddingRequest {
  model: string
  inputs: { text: string; tokens: number }[]
  dimensions?: number
  encoding: 'float' | 'base64'
}

type Parsed<T> = { ok: true; value: T } | { ok: false; response: Response }
const bad = (message: string, param: string | null): Parsed<never> => ({ ok: false, response: invalidRequest(message, param) })
const isTokenArray = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((x) => Number.isInteger(x) && x >= 0)

/** Validates an embeddings body; any problem becomes a 400 invalid_request_error naming its `param`. */
export function parseEmbeddingRequest(body: Record<string, unknown>): Parsed<SimEmbeddingRequest> {
  if (typeof body.model !== 'string' || body.model === '') return bad('You must provide a model parameter.', 'model')
  const inputs = parseInputs(body.input)
  if (!inputs) return bad("'input' must be a non-empty string, an array of non-empty strings, or token id arrays.", 'input')
  if (inputs.length > MAX_INPUTS) return bad(`'input' may hold at most ${MAX_INPUTS} entries.`, 'input')
  const dimensions = body.dimensions
  if (dimensions !== undefined && (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions < 1 || dimensions > MAX_DIMENSIONS)) {
    return bad(`dimensions must be an integer from 1 to ${MAX_DIMENSIONS}.`, 'dimensions')
  }
  const encoding = body.encoding_format ?? 'float'
  if (encoding !== 'float' && encoding !== 'base64') return bad("encoding_format must be 'float' or 'base64'.", 'encoding_format')
  return { ok: true, value: { model: body.model, inputs, dimensions: dimensions as number | undefined, encoding } }
}

function parseInputs(input: unknown): SimEmbeddingRequest['inputs'] | undefined {
  const ofText = (text: string) => ({ text, tokens: Math.max(1, textTokens(text)) })
  const ofTokens = (ids: number[]) => ({ text: JSON.stringify(ids), tokens: ids.length })
  if (typeof input === 'string') return input === '' ? undefined : [ofText(input)]
  if (!Array.isArray(input) || input.length === 0) return undefined
  if (input.every((x) => typeof x === 'string' && x !== '')) return (input as string[]).map(ofText)
  if (isTokenArray(input)) return [ofTokens(input)]
  if (input.every(isTokenArray)) return (input as number[][]).map(ofTokens)
  return undefined
}

/** The deterministic embeddings list for a validated request. */
export function buildEmbeddingList(req: SimEmbeddingRequest): Record<string, unknown> {
  const dims = embeddingDimensions(req.model, req.dimensions)
  const data = req.inputs.map((input, index) => {
    const vector = embeddingVector(req.model, input.text, dims)
    return { object: 'embedding', index, embedding: req.encoding === 'base64' ? encodeVectorBase64(vector) : vector }
  })
  const tokens = req.inputs.reduce((sum, i) => sum + i.tokens, 0)
  return { object: 'list', data, model: req.model, usage: { prompt_tokens: tokens, total_tokens: tokens } }
}
