/**
 * TypeBox schemas of what OpenAI-compatible servers (OpenAI, vLLM, Ollama, llama.cpp) answer on
 * the synchronous endpoints (research §D). Every response body is checked here before the
 * adapter reads a field; extra fields are allowed (servers add `timings`, `system_fingerprint`…).
 */
import { Type as T, type Static } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'

const Int = T.Integer({ minimum: 0 })

/** `usage` of a chat completion; `completion_tokens` may be absent on some servers. */
export const ChatUsage = T.Object({
  prompt_tokens: Int,
  completion_tokens: T.Optional(Int),
  total_tokens: T.Optional(Int),
  prompt_tokens_details: T.Optional(T.Union([T.Null(), T.Object({ cached_tokens: T.Optional(T.Union([Int, T.Null()])) })])),
})

/** One choice: an assistant message with text and/or tool calls. */
export const ChatChoice = T.Object({
  index: Int,
  message: T.Object({
    role: T.String(),
    content: T.Optional(T.Union([T.String(), T.Null()])),
    tool_calls: T.Optional(T.Union([T.Null(), T.Array(T.Object({ id: T.String(), type: T.String(), function: T.Object({ name: T.String(), arguments: T.String() }) }))])),
  }),
  finish_reason: T.Union([T.String(), T.Null()]),
})

/** `POST /v1/chat/completions` 200 body (`object: "chat.completion"`). */
export const ChatCompletionResponse = T.Object({
  id: T.String(),
  object: T.Literal('chat.completion'),
  created: T.Number(),
  model: T.String(),
  choices: T.Array(ChatChoice, { minItems: 1 }),
  usage: ChatUsage,
})
export type ChatCompletionResponse = Static<typeof ChatCompletionResponse>

/** `POST /v1/embeddings` 200 body: float vectors, or base64 float32 when `encoding_format: "base64"`. */
export const EmbeddingResponse = T.Object({
  object: T.Literal('list'),
  data: T.Array(T.Object({ object: T.Optional(T.Literal('embedding')), index: Int, embedding: T.Union([T.Array(T.Number()), T.String()]) }), { minItems: 1 }),
  model: T.String(),
  usage: T.Object({ prompt_tokens: Int, total_tokens: T.Optional(Int) }),
})
export type EmbeddingResponse = Static<typeof EmbeddingResponse>

const ErrorCode = T.Optional(T.Union([T.String(), T.Integer(), T.Null()]))

/** OpenAI / Ollama / current vLLM error: `{error:{message,type,param,code}}` (vLLM's `code` is the HTTP status int). */
export const NestedErrorBody = T.Object({
  error: T.Object({ message: T.Optional(T.String()), type: T.Optional(T.String()), param: T.Optional(T.Union([T.String(), T.Null()])), code: ErrorCode }),
})

/** Older vLLM: a flat `{object:"error", message, type, param, code}`. */
export const FlatErrorBody = T.Object({ object: T.Literal('error'), message: T.Optional(T.String()), type: T.Optional(T.String()), code: ErrorCode })

/** Compiled checkers: one per schema, built once at module load (no I/O). */
export const checkChatCompletion = TypeCompiler.Compile(ChatCompletionResponse)
export const checkEmbeddingList = TypeCompiler.Compile(EmbeddingResponse)
const checkNestedError = TypeCompiler.Compile(NestedErrorBody)
const checkFlatError = TypeCompiler.Compile(FlatErrorBody)

/** The `code` of an error body in either shape (string or int), or undefined. */
export function errorCodeOf(body: unknown): unknown {
  if (checkNestedError.Check(body)) return body.error.code ?? undefined
  if (checkFlatError.Check(body)) return body.code ?? undefined
  return undefined
}
