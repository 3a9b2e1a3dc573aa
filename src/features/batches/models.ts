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
  limit: t.Optional(t.Integer({ description: 'Page size, 1–100 (default 20).', examples: [20] })),
  status: t.Optional(t.String()),
})

export const ResultsQuery = t.Object({
  limit: t.Optional(t.Integer({ description: 'Page size, 1–1000 (default 100).', examples: [100] })),
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
  {
    description: 'An OpenAI Batch object with the native BatchRouter view under `batch`.',
    examples: [
      {
        id: 'bat_3kQ9xY2mN8pL4rT7vW1zA5bC', object: 'batch', endpoint: '/v1/chat/completions', input_file_id: 'file_7hG2kL9mN4pQ8rS1tU6vW3xY', completion_window: '24h', model: 'gpt-4o-mini',
        status: 'completed', output_file_id: 'file_2aB4cD6eF8gH0iJ2kL4mN6oP', error_file_id: null, errors: null,
        created_at: 1795316627, in_progress_at: 1795316627, expires_at: 1795403027, finalizing_at: 1795316629, completed_at: 1795316629, failed_at: null, expired_at: null, cancelling_at: null, cancelled_at: null,
        request_counts: { total: 2, completed: 2, failed: 0 },
        usage: { input_tokens: 24, output_tokens: 18, total_tokens: 42, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } },
        metadata: null,
        batch: { id: 'bat_3kQ9xY2mN8pL4rT7vW1zA5bC', status: 'completed', item_count: 2, counts: { total: 2, pending: 0, running: 0, completed: 2, failed: 0, cancelled: 0 }, progress: 1, sla_tier: 'standard', routing_mode: 'cheapest', privacy_tier: 'standard', cost_so_far: { currency: 'usd', amount: '0.000012' } },
      },
    ],
  },
)

const Money = t.Object({ currency: t.Literal('usd'), amount: t.String() })

/** A result row (contract §5): one finished item. */
export const ResultRow = t.Object(
  {
    customer_item_id: t.String(), custom_id: t.String(), batch_item_id: t.String(),
    status: t.Union([t.Literal('completed'), t.Literal('failed')]),
    operation: t.String(), model: t.String(), provider: t.Union([t.String(), t.Null()]), offering_id: t.Union([t.String(), t.Null()]), node_id: t.Union([t.String(), t.Null()], { description: 'The edge node that ran the item (fleet lanes), else null.' }), attempts: t.Integer(),
    output: t.Unknown({ description: 'chat.completion or embedding list object; null when failed' }),
    error: t.Union([t.Object({ code: t.String(), message: t.String() }), t.Null()]),
    usage: t.Object({ input_tokens: t.Integer(), output_tokens: t.Integer(), total_tokens: t.Integer() }),
    cost: Money,
    completed_at: t.Union([t.String(), t.Null()]),
  },
  { additionalProperties: t.Unknown() },
)

export const ResultsPage = t.Object(
  { object: t.Literal('list'), results: t.Array(ResultRow), next_cursor: t.Union([t.String(), t.Null()]), has_more: t.Boolean() },
  {
    examples: [
      {
        object: 'list', next_cursor: null, has_more: false,
        results: [{ customer_item_id: 'item-1', custom_id: 'item-1', batch_item_id: 'item_9fK2mL4nP6qR8sT0uV2wX4yZ', status: 'completed', operation: 'responses', model: 'gpt-4o-mini', provider: 'openai', offering_id: 'openai-batch-gpt-4o-mini', node_id: null, attempts: 1, output: { id: 'chatcmpl-1', object: 'chat.completion', created: 1795316629, model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'BatchRouter sends each batch item to the cheapest eligible provider lane.' }, finish_reason: 'stop' }], usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 } }, error: null, usage: { input_tokens: 12, output_tokens: 9, total_tokens: 21 }, cost: { currency: 'usd', amount: '0.000005' }, completed_at: '2026-11-22T03:03:49.000Z' }],
      },
    ],
  },
)

export const ArtifactUrl = t.Object(
  { url: t.String(), expires_at: t.String(), bytes: t.Union([t.Integer(), t.Null()]), sha256: t.Union([t.String(), t.Null()]), kind: t.String() },
  { examples: [{ url: 'http://127.0.0.1:8080/v1/artifacts/eyJhbGciOiJIUzI1NiJ9.e30.sig', expires_at: '2026-11-22T03:18:52.000Z', bytes: 347239, sha256: null, kind: 'results' }] },
)

export const BillingReceiptResponse = t.Object(
  { billing_receipt: t.Record(t.String(), t.Unknown()) },
  {
    examples: [
      {
        billing_receipt: {
          batch_id: 'bat_3kQ9xY2mN8pL4rT7vW1zA5bC', quote: { quote_id: 'qlock_mb9uoNWhNvOOjhfcFP96sZDD', quoted_price: { currency: 'usd', amount: '0.006522' } },
          pricing: { quoted_price: { currency: 'usd', amount: '0.006522' }, final_settled_price: { currency: 'usd', amount: '0.000090' } },
          provider_lanes: [], rejected_lanes: [], usage: { input_tokens: 140, output_tokens: 140, total_tokens: 280 },
          credits: { reserved: { currency: 'usd', amount: '0.006522' }, charged: { currency: 'usd', amount: '0.000090' }, released: { currency: 'usd', amount: '0.006432' }, reservation_id: 'cres_4LXu8XmogYT81PAa6w5dPnDM', reservation_status: 'settled', settled_at: '2026-11-22T03:03:49.000Z' },
        },
      },
    ],
  },
)

export const RoutingReceipt = t.Object(
  { object: t.Literal('routing_receipt'), batch_id: t.String() },
  {
    additionalProperties: t.Unknown(),
    examples: [{ object: 'routing_receipt', batch_id: 'bat_3kQ9xY2mN8pL4rT7vW1zA5bC', routing_mode: 'cheapest', privacy_tier: 'standard', sla_tier: 'standard', groups: [], reroutes: [], lanes: [] }],
  },
)
