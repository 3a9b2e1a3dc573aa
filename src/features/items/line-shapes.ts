/**
 * TypeBox schemas of the two item line shapes (contract §3) and of the request payloads they
 * carry, compiled once. `firstProblem` turns the first schema violation into a `param` path
 * (`input.messages[0].content`) and a message that says what to fix.
 */
import { Type as T, type Static, type TSchema } from '@sinclair/typebox'
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors'

const PositiveInt = T.Union([T.Integer({ minimum: 1 }), T.Null()], { description: 'a positive integer' })
const AnyObject = T.Object({}, { description: 'a JSON object' })

/** Native line: `{customer_item_id, operation, model, input}`. */
export const NativeLine = T.Object(
  {
    customer_item_id: T.String({ description: 'Your id for the item, unique in the batch (1–512 characters).', examples: ['item-1'] }),
    operation: T.Union([T.Literal('responses'), T.Literal('embeddings'), T.Literal('vision')], { description: '"responses", "embeddings" or "vision"' }),
    model: T.String({ minLength: 1, description: 'A catalog slug or alias.', examples: ['gpt-4o-mini'] }),
    input: T.Object({}, { description: 'The request: `messages` (+ chat parameters) or `input` for embeddings.' }),
  },
  { description: 'A native BatchRouter item line.' },
)
export type NativeLine = Static<typeof NativeLine>

/** OpenAI Batch request line: `{custom_id, method:"POST", url, body}` (provider-apis §A.4). */
export const OpenAiLine = T.Object(
  {
    custom_id: T.String({ description: 'Your id for the request, unique in the batch.', examples: ['request-1'] }),
    method: T.String({ description: 'Must be "POST".' }),
    url: T.String({ description: 'One of /v1/chat/completions, /v1/embeddings, /v1/responses.' }),
    body: T.Object({ model: T.String({ minLength: 1 }) }, { description: 'The ordinary request body for `url`, including `model`.' }),
  },
  { description: 'An OpenAI Batch API request line.' },
)
export type OpenAiLine = Static<typeof OpenAiLine>

/** A chat message; content parts are checked one by one against `CHAT_PARTS`. */
export const ChatMessage = T.Object({
  role: T.Union(['system', 'developer', 'user', 'assistant', 'tool'].map((r) => T.Literal(r)), { description: 'one of system, developer, user, assistant, tool' }),
  content: T.Union([T.String(), T.Array(T.Object({ type: T.String() }), { minItems: 1 }), T.Null()], { description: 'a string or a non-empty list of content blocks' }),
  name: T.Optional(T.String()),
  tool_calls: T.Optional(T.Array(AnyObject)),
  tool_call_id: T.Optional(T.String()),
})
export type ChatMessage = Static<typeof ChatMessage>

/** Chat-completions content blocks accepted in messages, by `type`. */
export const CHAT_PARTS: Record<string, TSchema> = {
  text: T.Object({ type: T.Literal('text'), text: T.String() }),
  image_url: T.Object({ type: T.Literal('image_url'), image_url: T.Object({ url: T.String({ minLength: 1 }), detail: T.Optional(T.String()) }) }),
  input_image: T.Object({ type: T.Literal('input_image'), file_id: T.String({ minLength: 1, description: 'a file id from /v1/files' }), detail: T.Optional(T.String()) }),
}

const nullable = (schema: TSchema, description: string) => T.Optional(T.Union([schema, T.Null()], { description }))
/** Sampling parameters shared by chat and Responses bodies: a wrong type or range names its param at preflight. */
const SamplingParams = {
  temperature: nullable(T.Number({ minimum: 0, maximum: 2 }), 'a number from 0 to 2'),
  top_p: nullable(T.Number({ minimum: 0, maximum: 1 }), 'a number from 0 to 1'),
  seed: nullable(T.Integer(), 'a whole number'),
  user: T.Optional(T.String({ description: 'a string' })),
  parallel_tool_calls: nullable(T.Boolean(), 'true or false'),
  top_logprobs: nullable(T.Integer({ minimum: 0, maximum: 20 }), 'a whole number from 0 to 20'),
}

/** Native `responses`/`vision` input, and the body of a `/v1/chat/completions` line. */
export const ChatRequest = T.Object({
  messages: T.Array(ChatMessage, { minItems: 1, description: 'a non-empty list of messages' }),
  max_tokens: T.Optional(PositiveInt),
  max_completion_tokens: T.Optional(PositiveInt),
  stream: T.Optional(T.Boolean()),
  tools: T.Optional(T.Array(AnyObject)),
  ...SamplingParams,
  presence_penalty: nullable(T.Number({ minimum: -2, maximum: 2 }), 'a number from -2 to 2'),
  frequency_penalty: nullable(T.Number({ minimum: -2, maximum: 2 }), 'a number from -2 to 2'),
  n: nullable(T.Integer({ minimum: 1, maximum: 128 }), 'a whole number from 1 to 128'),
  stop: nullable(T.Union([T.String(), T.Array(T.String())]), 'a string or a list of strings'),
  logprobs: nullable(T.Boolean(), 'true or false'),
  response_format: nullable(AnyObject, 'a JSON object such as {"type":"json_object"}'),
  tool_choice: nullable(T.Union([T.String(), AnyObject]), 'a string such as "auto" or a JSON object'),
  logit_bias: nullable(T.Record(T.String(), T.Number()), 'an object of token ids to numbers'),
  metadata: nullable(T.Record(T.String(), T.String()), 'an object of string values'),
})

const NonEmptyString = T.String({ minLength: 1 })
/** Native `embeddings` input, and the body of a `/v1/embeddings` line. */
export const EmbeddingsRequest = T.Object({
  input: T.Union([NonEmptyString, T.Array(NonEmptyString, { minItems: 1 })], { description: 'a non-empty string or a non-empty list of non-empty strings' }),
  dimensions: T.Optional(T.Integer({ minimum: 1 })),
  encoding_format: T.Optional(T.Union([T.Literal('float'), T.Literal('base64')], { description: '"float" or "base64"' })),
  stream: T.Optional(T.Boolean()),
})

/** A message item of a Responses-API `input` list; parts are checked against `RESPONSES_PARTS`. */
export const ResponsesInputMessage = T.Object({
  type: T.Optional(T.Literal('message', { description: 'only message items are supported' })),
  role: T.Union(['system', 'developer', 'user', 'assistant'].map((r) => T.Literal(r)), { description: 'one of system, developer, user, assistant' }),
  content: T.Union([T.String(), T.Array(T.Object({ type: T.String() }), { minItems: 1 })], { description: 'a string or a non-empty list of content parts' }),
})

/** Responses-API content parts accepted, by `type`. */
export const RESPONSES_PARTS: Record<string, TSchema> = {
  input_text: T.Object({ type: T.Literal('input_text'), text: T.String() }),
  output_text: T.Object({ type: T.Literal('output_text'), text: T.String() }),
  input_image: T.Union(
    [
      T.Object({ type: T.Literal('input_image'), image_url: T.String({ minLength: 1 }), detail: T.Optional(T.String()) }),
      T.Object({ type: T.Literal('input_image'), file_id: T.String({ minLength: 1 }), detail: T.Optional(T.String()) }),
    ],
    { description: 'an input_image with `image_url` or `file_id`' },
  ),
}

/** The body of a `/v1/responses` line (the subset a batch can execute as a chat request). */
export const ResponsesRequest = T.Object({
  input: T.Union([NonEmptyString, T.Array(ResponsesInputMessage, { minItems: 1 })], { description: 'a non-empty string or a non-empty list of messages' }),
  instructions: T.Optional(T.Union([T.String(), T.Null()])),
  max_output_tokens: T.Optional(PositiveInt),
  stream: T.Optional(T.Boolean()),
  ...SamplingParams,
  tools: T.Optional(T.Array(T.Object({ type: T.Literal('function', { description: 'only function tools are supported' }) }))),
  previous_response_id: T.Optional(T.Null({ description: 'unsupported in a batch (items are stateless)' })),
  prompt: T.Optional(T.Null({ description: 'unsupported in a batch (stored prompts)' })),
  conversation: T.Optional(T.Null({ description: 'unsupported in a batch (items are stateless)' })),
})

/** One function tool of a Responses-API body (checked after `ResponsesRequest` accepted its type). */
export const ResponsesFunctionTool = T.Object({
  type: T.Literal('function'),
  name: T.String({ minLength: 1 }),
  description: T.Optional(T.String()),
  parameters: T.Optional(AnyObject),
  strict: T.Optional(T.Boolean()),
})

const compiled = new Map<TSchema, TypeCheck<TSchema>>()
/** The compiled checker of a schema (compiled on first use, then cached). */
export function checkerOf(schema: TSchema): TypeCheck<TSchema> {
  let c = compiled.get(schema)
  if (!c) compiled.set(schema, (c = TypeCompiler.Compile(schema)))
  return c
}

/** A schema violation: where (`param`, dotted with [i]) and what to fix. */
export interface ShapeProblem {
  param: string
  message: string
}

/** Null when `value` matches `schema`; otherwise the first violation, its path under `prefix`. */
export function firstProblem(schema: TSchema, value: unknown, prefix: string): ShapeProblem | null {
  const checker = checkerOf(schema)
  if (checker.Check(value)) return null
  const error = checker.Errors(value).First()
  if (!error) return { param: prefix, message: `${prefix} is malformed` }
  const param = joinParam(prefix, error.path)
  return { param, message: `${param} ${describeError(error)}` }
}

/** `input` + `/messages/0/content` → `input.messages[0].content`. */
export function joinParam(prefix: string, pointer: string): string {
  let out = prefix
  for (const seg of pointer.split('/').slice(1)) {
    const key = seg.replace(/~1/g, '/').replace(/~0/g, '~')
    out += /^\d+$/.test(key) ? `[${key}]` : out === '' ? key : `.${key}`
  }
  return out
}

function describeError(error: ValueError): string {
  const description = (error.schema as { description?: string }).description
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return 'is required'
    case ValueErrorType.StringMinLength:
    case ValueErrorType.ArrayMinItems:
      return 'must not be empty'
    case ValueErrorType.Literal:
      return description ? `must be ${JSON.stringify((error.schema as { const?: unknown }).const)}: ${description}` : `must be ${JSON.stringify((error.schema as { const?: unknown }).const)}`
    case ValueErrorType.Null:
      return description ? `must be absent: ${description}` : 'must be null'
    default:
      return description ? `must be ${description}` : error.message.charAt(0).toLowerCase() + error.message.slice(1)
  }
}
