/**
 * TypeBox schemas of the Anthropic Message Batches answers the adapter reads (research §B.2–B.4).
 * Extra fields are allowed; every body and every results line is checked before use.
 */
import { Type as T, type Static } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'

const Int = T.Integer({ minimum: 0 })
const NullableString = T.Optional(T.Union([T.String(), T.Null()]))

/** The `MessageBatch` object. Timestamps are RFC 3339 strings. */
export const MessageBatch = T.Object({
  id: T.String({ minLength: 1 }),
  type: T.Literal('message_batch'),
  processing_status: T.Union([T.Literal('in_progress'), T.Literal('canceling'), T.Literal('ended')]),
  request_counts: T.Object({ processing: Int, succeeded: Int, errored: Int, canceled: Int, expired: Int }),
  created_at: T.String(),
  ended_at: NullableString,
  cancel_initiated_at: NullableString,
  results_url: NullableString,
})
export type MessageBatch = Static<typeof MessageBatch>

/** `GET /v1/messages/batches` (newest first, `after_id` paging). */
export const MessageBatchList = T.Object({ data: T.Array(MessageBatch), has_more: T.Boolean(), last_id: NullableString })

/** A Message as batch results carry it (the fields translate/ reads). */
export const Message = T.Object({
  id: T.String(),
  type: T.Literal('message'),
  model: T.String(),
  content: T.Array(T.Object({ type: T.String(), text: T.Optional(T.String()), id: T.Optional(T.String()), name: T.Optional(T.String()), input: T.Optional(T.Unknown()) })),
  stop_reason: T.Union([T.String(), T.Null()]),
  usage: T.Object({ input_tokens: Int, output_tokens: Int, cache_creation_input_tokens: T.Optional(T.Union([Int, T.Null()])), cache_read_input_tokens: T.Optional(T.Union([Int, T.Null()])) }),
})

/** One results line (`MessageBatchIndividualResponse`). */
export const ResultLine = T.Object({
  custom_id: T.String(),
  result: T.Union([
    T.Object({ type: T.Literal('succeeded'), message: T.Unknown() }),
    T.Object({ type: T.Literal('errored'), error: T.Optional(T.Unknown()) }),
    T.Object({ type: T.Literal('canceled') }),
    T.Object({ type: T.Literal('expired') }),
  ]),
})
export type ResultLine = Static<typeof ResultLine>

/** Anthropic's error envelope `{type:"error", error:{type, message}}`. */
export const ErrorBody = T.Object({ error: T.Object({ type: T.String(), message: T.Optional(T.String()) }) })

export const checkMessageBatch = TypeCompiler.Compile(MessageBatch)
export const checkMessageBatchList = TypeCompiler.Compile(MessageBatchList)
export const checkMessage = TypeCompiler.Compile(Message)
export const checkResultLine = TypeCompiler.Compile(ResultLine)
const checkErrorBody = TypeCompiler.Compile(ErrorBody)

/** The error `type` of an Anthropic error body (e.g. `rate_limit_error`), or undefined. */
export function errorTypeOf(body: unknown): string | undefined {
  return checkErrorBody.Check(body) ? body.error.type : undefined
}
