/** Quote request and response schemas (contract §4). */
import { t } from 'elysia'
import { RoutingFields } from '../routing/index'

const Money = t.String({ description: 'USD, 6 decimals', examples: ['0.000125'] })
const SlaAdjustment = t.String({ description: 'What the SLA tier’s multiplier adds to (priority) or takes off (flex, negative) provider_subtotal + batchrouter_fee − customer_discount; USD, 6 decimals, signed.', examples: ['-0.000012'] })
const PriceBreakdown = t.Object({ currency: t.Literal('usd'), provider_subtotal: Money, batchrouter_fee: Money, customer_discount: Money, sla_adjustment: SlaAdjustment, total: Money })

export const QuoteBody = t.Object(
  {
    items: t.Optional(t.Array(t.Unknown(), { maxItems: 5000, description: 'Items (native or OpenAI request lines); a representative sample is fine.' })),
    input_file_id: t.Optional(t.String({ description: 'A JSONL file uploaded with POST /v1/files.' })),
    operation: t.Optional(t.Union([t.Literal('responses'), t.Literal('embeddings'), t.Literal('vision')])),
    model: t.Optional(t.String()),
    ...RoutingFields,
  },
  {
    additionalProperties: false,
    examples: [{ routing_mode: 'cheapest', items: [{ customer_item_id: 'item-1', operation: 'responses', model: 'gpt-4o-mini', input: { messages: [{ role: 'user', content: 'Summarize: BatchRouter routes batch-AI workloads across providers.' }] } }] }],
  },
)
export type QuoteBody = typeof QuoteBody.static

export const QuoteLane = t.Object({
  lane_id: t.String(),
  model: t.String(),
  operation: t.String(),
  provider: t.String(),
  offering_id: t.String(),
  lane_kind: t.Union([t.Literal('public'), t.Literal('edge')]),
  selected: t.Boolean(),
  rank: t.Union([t.Integer(), t.Null()]),
  item_count: t.Integer(),
  allocation_percent: t.Number(),
  price: PriceBreakdown,
  rates: t.Object({ input_per_1m: Money, output_per_1m: Money }),
  estimated_completion_seconds: t.Integer(),
  fallback_order: t.Array(t.String()),
  rejection_code: t.Union([t.String(), t.Null()]),
  reason: t.String({ description: 'One sentence: why the lane was selected, kept as a fallback, or rejected.' }),
})

export const QuoteResponse = t.Object({
  quote_id: t.String({ examples: ['qlock_3kQ9xY2mN8pL4rT7vW1zA5bC'] }),
  object: t.Literal('quote'),
  valid_until: t.String(),
  item_count: t.Integer(),
  estimated_input_tokens: t.Integer(),
  estimated_output_tokens: t.Integer(),
  token_estimate_method: t.String(),
  pricing_estimate: PriceBreakdown,
  sla_tier: t.String(),
  sla_multiplier: t.Number({ description: 'The SLA tier’s price factor this quote is priced and locked at (GET /v1/pricing/fees lists them).', examples: [0.95] }),
  routing_mode: t.String(),
  privacy_tier: t.String(),
  sla_deadline: t.String(),
  quote_lanes: t.Array(QuoteLane),
  customer_explanation: t.Object({
    summary: t.String(),
    lane_mode: t.Union([t.Literal('single_lane'), t.Literal('multi_lane')]),
    selected_lanes: t.Array(t.String()),
    rejected_lanes: t.Array(t.Object({ lane_id: t.String(), offering_id: t.String(), rejection_code: t.String(), reason: t.String() })),
    unroutable: t.Array(t.Object({ code: t.String(), model: t.String(), operation: t.String(), message: t.String() })),
    fallback_behavior: t.String(),
  }),
  funding_preview: t.Object({ available: Money, reservation_amount: Money, can_fund: t.Boolean(), shortfall: Money }),
})
export type QuoteResponse = typeof QuoteResponse.static
export { PriceBreakdown, Money }
