/**
 * TypeBox schemas of the OpenAI Files + Batch API answers the adapter reads (research §A.2–A.5).
 * Extra fields are allowed; every response body is checked here before a field is read.
 */
import { Type as T, type Static } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'

const Int = T.Integer({ minimum: 0 })
const NullableString = T.Optional(T.Union([T.String(), T.Null()]))

/** `POST /v1/files` 200 body. */
export const FileObject = T.Object({ id: T.String({ minLength: 1 }), object: T.Literal('file'), bytes: T.Optional(Int), purpose: T.Optional(T.String()) })
export type FileObject = Static<typeof FileObject>

/** Batch statuses (spec `Batch.status`). */
export const BATCH_STATUSES = ['validating', 'failed', 'in_progress', 'finalizing', 'completed', 'expired', 'cancelling', 'cancelled'] as const

/** The `Batch` object: the fields the adapter reads. */
export const Batch = T.Object({
  id: T.String({ minLength: 1 }),
  object: T.Literal('batch'),
  status: T.Union(BATCH_STATUSES.map((s) => T.Literal(s))),
  created_at: T.Number(),
  output_file_id: NullableString,
  error_file_id: NullableString,
  request_counts: T.Optional(T.Union([T.Null(), T.Object({ total: Int, completed: Int, failed: Int })])),
  metadata: T.Optional(T.Union([T.Null(), T.Record(T.String(), T.String())])),
  /** Why a `failed` batch failed (validation or limits): only the codes are read. */
  errors: T.Optional(T.Union([T.Null(), T.Object({ data: T.Optional(T.Array(T.Object({ code: T.Optional(T.Unknown()) }))) })])),
})
export type Batch = Static<typeof Batch>

/** `GET /v1/batches` 200 body (cursor paging by `after`). */
export const BatchList = T.Object({ object: T.Literal('list'), data: T.Array(Batch), has_more: T.Boolean(), last_id: NullableString })
export type BatchList = Static<typeof BatchList>

/** One line of an output or error file (`BatchRequestOutput`, research §A.5). */
export const OutputLine = T.Object({
  custom_id: T.String(),
  response: T.Optional(T.Union([T.Null(), T.Object({ status_code: T.Integer(), request_id: T.Optional(T.Union([T.String(), T.Null()])), body: T.Unknown() })])),
  error: T.Optional(T.Union([T.Null(), T.Object({ code: NullableString, message: NullableString })])),
})
export type OutputLine = Static<typeof OutputLine>

export const checkFileObject = TypeCompiler.Compile(FileObject)
export const checkBatch = TypeCompiler.Compile(Batch)
export const checkBatchList = TypeCompiler.Compile(BatchList)
export const checkOutputLine = TypeCompiler.Compile(OutputLine)
