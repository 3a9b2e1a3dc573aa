/** The parts of the /v1 wire objects (contract.md) that the console reads. */

export interface Money {
  currency: 'usd'
  amount: string
}

export interface List<T> {
  object: 'list'
  data: T[]
  first_id?: string | number | null
  last_id?: string | number | null
  has_more?: boolean
}

export interface DeliveryWebhook {
  url: string | null
  configured: boolean
  progress_events: boolean
}

export interface Account {
  org_id: string
  name: string
  credit_balance: string
  reserved_balance: string
  created_at: string
  delivery_webhook: DeliveryWebhook | null
  api_key: { id: string; name: string; start: string }
}

export interface Spend {
  days: number
  total: string
  data: { date: string; amount: string }[]
}

export interface Lane {
  lane_id: string
  model: string
  operation: string
  provider: string
  offering_id: string
  status: string
  item_count: number
  completed: number
  failed: number
}

export interface NativeBatch {
  id: string
  status: string
  item_count: number
  counts: { total: number; pending: number; running: number; completed: number; failed: number; cancelled: number }
  progress: number
  created_at: string
  completed_at: string | null
  sla_deadline: string
  sla_tier: string
  routing_mode: string
  privacy_tier: string
  quote_id: string | null
  pricing_estimate: { total: string; provider_subtotal: string; batchrouter_fee: string }
  cost_so_far: Money
  lanes: Lane[]
}

/** The OpenAI batch object with the native view under `batch`. */
export interface BatchObject {
  id: string
  status: string
  output_file_id: string | null
  error_file_id: string | null
  request_counts: { total: number; completed: number; failed: number }
  batch: NativeBatch
}

export interface Price {
  provider_subtotal: string
  batchrouter_fee: string
  total: string
}

export interface Candidate {
  lane_id?: string
  model: string
  operation: string
  provider: string
  offering_id: string
  lane_kind: string
  selected: boolean
  rank: number | null
  item_count: number
  allocation_percent: number
  price: Price | null
  estimated_completion_seconds: number | null
  rejection_code: string | null
  reason: string
}

export interface Quote {
  quote_id: string
  valid_until: string
  item_count: number
  estimated_input_tokens: number
  estimated_output_tokens: number
  pricing_estimate: Price & { customer_discount: string; sla_adjustment: string }
  sla_tier: string
  sla_multiplier: number
  routing_mode: string
  quote_lanes: Candidate[]
  customer_explanation: { summary: string; unroutable?: { model: string; operation: string; reason?: string }[] }
  funding_preview: { available: string; reservation_amount: string; can_fund: boolean; shortfall: string }
}

export interface ResultRow {
  customer_item_id: string
  batch_item_id: string
  status: 'completed' | 'failed'
  operation: string
  model: string
  provider: string
  output: any
  error: { code: string; message: string } | null
  usage: { input_tokens: number; output_tokens: number } | null
  cost: Money
}

export interface RoutingReceipt {
  summary: string
  policy: Record<string, unknown>
  item_groups: { model: string; operation: string; status: string; explanation: string; item_count: number; candidates: Candidate[] }[]
  reroutes: { at: string; cause: string; from_offering_id: string | null; to_offering_id: string | null; item_count: number; message: string | null }[]
}

export interface BillingReceipt {
  pricing: { quoted_price: Money; final_settled_price: Money | null }
  provider_lanes: { lane_id: string; provider: string; offering_id: string; model: string; item_count: number; quoted_price: Money; final_settled_price: Money | null; usage: { input_tokens: number; output_tokens: number } | null }[]
  credits: { reserved: Money; charged: Money; released: Money; reservation_status: string; settled_at: string | null }
}

export interface Delivery {
  id: string
  type: string
  url: string
  state: string
  attempt_count: number
  next_attempt_at: string | null
  created_at: string
  delivered_at: string | null
  attempts: { attempt: number; at: string; status_code: number | null; latency_ms: number | null; error: string | null }[]
}

export interface ApiKey {
  id: string
  name: string
  start: string
  created_at: string
  expires_at: string | null
  last_used_at: string | null
  revoked_at: string | null
}

export interface LedgerEntry {
  id: number
  org_id: string
  kind: string
  amount: string
  delta_available: string
  delta_reserved: string
  reference: string
  batch_id: string | null
  note: string | null
  created_at: string
}
