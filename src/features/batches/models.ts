/** Batch request and response schemas (contract §5). One create body carries both shapes. */
import { t } from 'elysia'
import { RoutingFields } from '../routing/index'

export const CreateBatchBody = t.Object(
  {
    items: t.Optional(t.Array(t.Unknown(), { description: 'Inline items (native or OpenAI request lines), at most 5000.' })),
    input_file_id: t.Optional(t.String({ description: 'A JSONL file from POST /v1/files.' })),
    quote_id: t.Optional(t.String({ description: 'A qlock_ quote whose locked rates price this batch.' })),
    ...RoutingFields,
    webhook: t.Optional(t.Object({ url: t.String({ maxLength: 2048 }), secret: t.String({ minLength: 8, maxLength: 256 }) }, { additionalProperties: false })),
    metadata: t.Optional(t.Union([t.Record(t.String(), t.Unknown()), t.Null()])),
    endpoint: t.Optional(t.String({ description: 'OpenAI shape: /v1/chat/completions, /v1/embeddings or /v1/responses.' })),
    completion_window: t.Optional(t.Literal('24h')),
    output_expires_after: t.Optional(t.Object({ anchor: t.Literal('created_at'), seconds: t.Integer({ minimum: 3600, maximum: 2_592_000 }) })),
  },
  {
    additionalProperties: false,
    examples: [
      { items: [{ customer_item_id: 'item-1', operation: 'responses', model: 'gpt-4o-mini', input: { messages: [{ role: 'user', content: 'Summarize: BatchRouter routes batch-AI workloads across providers.' }] } }], routing_mode: 'cheapest', sla_tier: 'standard' },
      { input_file_id: 'file_3kQ9xY2mN8pL4rT7vW1zA5bC', endpoint: '/v1/chat/completions', completion_window: '24h' },
    ],
  },
)
export type CreateBatchBody = typeof CreateBatchBody.static

export const BatchIdParams = t.Object({ id: t.String({ description: 'bat_… id' }) })

export const GetBatchQuery = t.Object({ include_billing_receipt: t.Optional(t.Union([t.Literal('true'), t.Literal('false')])) })

export const ListBatchesQuery = t.Object({
  after: t.Optional(t.String()),
  limit: t.Optional(t.Numeric({ minimum: 1, maximum: 100, default: 20 })),
  status: t.Optional(t.String()),
})

export const ResultsQuery = t.Object({
  limit: t.Optional(t.Numeric({ minimum: 1, maximum: 1000, default: 100 })),
  cursor: t.Optional(t.String()),
  status: t.Optional(t.Union([t.Literal('completed'), t.Literal('failed')])),
})

export const ArtifactQuery = t.Object({ kind: t.Optional(t.Union([t.Literal('results'), t.Literal('receipt'), t.Literal('openai_output'), t.Literal('openai_error')])) })

/** The batch object: OpenAI fields on top, the native view under `batch`. */
export const BatchObject = t.Object(
  {
    id: t.String(),
    object: t.Literal('batch'),
    endpoint: t.String(),
    input_file_id: t.String(),
    completion_window: t.String(),
    model: t.Union([t.String(), t.Null()]),
    status: t.String(),
    output_file_id: t.Union([t.String(), t.Null()]),
    error_file_id: t.Union([t.String(), t.Null()]),
    errors: t.Union([t.Object({ object: t.Literal('list'), data: t.Array(t.Unknown()) }), t.Null()]),
    created_at: t.Integer(),
    in_progress_at: t.Union([t.Integer(), t.Null()]),
    expires_at: t.Union([t.Integer(), t.Null()]),
    finalizing_at: t.Union([t.Integer(), t.Null()]),
    completed_at: t.Union([t.Integer(), t.Null()]),
    failed_at: t.Union([t.Integer(), t.Null()]),
    expired_at: t.Union([t.Integer(), t.Null()]),
    cancelling_at: t.Union([t.Integer(), t.Null()]),
    cancelled_at: t.Union([t.Integer(), t.Null()]),
    request_counts: t.Object({ total: t.Integer(), completed: t.Integer(), failed: t.Integer() }),
    usage: t.Unknown(),
    metadata: t.Unknown(),
    batch: t.Record(t.String(), t.Unknown()),
  },
  { description: 'An OpenAI Batch object with the native BatchRouter view under `batch`.' },
)
