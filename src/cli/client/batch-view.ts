/** The parts of the batch and quote objects the client commands read, and their human summaries. */

/** The batch object (contract §5) as far as the CLI reads it. */
export interface BatchView {
  id: string
  status: string
  created_at: number
  request_counts: { total: number; completed: number; failed: number }
  output_file_id: string | null
  error_file_id: string | null
  metadata: Record<string, string> | null
  batch: {
    status: string
    item_count: number
    counts: { total: number; pending: number; running: number; completed: number; failed: number; cancelled: number }
    progress: number
    sla_tier: string
    routing_mode: string
    sla_deadline: string
    cost_so_far: { currency: string; amount: string }
    pricing_estimate: { total: string }
  }
}

/** Native statuses after which nothing changes. */
export const TERMINAL = ['completed', 'failed', 'cancelled', 'expired']

/** Items that have an outcome (completed, failed or cancelled). */
export function itemsDone(b: BatchView): number {
  const c = b.batch.counts
  return c.completed + c.failed + c.cancelled
}

/** One line: `bat_… completed — 10/10 items, 0 failed, 0.001234 USD`. */
export function summarizeBatch(b: BatchView): string {
  const c = b.batch.counts
  return `${b.id} ${b.batch.status} — ${itemsDone(b)}/${c.total} items done, ${c.failed} failed, ${b.batch.cost_so_far.amount} USD so far (estimate ${b.batch.pricing_estimate.total} USD)`
}

/** The quote object (contract §4) as far as the CLI reads it. */
export interface QuoteView {
  quote_id: string
  valid_until: string
  item_count: number
  pricing_estimate: { total: string; provider_subtotal: string; batchrouter_fee: string; sla_adjustment: string }
  sla_tier: string
  sla_multiplier: number
  routing_mode: string
  sla_deadline: string
  quote_lanes: { model: string; provider: string; offering_id: string; selected: boolean; item_count: number; price: { total: string }; rejection_code: string | null }[]
  customer_explanation: { summary: string }
  funding_preview: { available: string; can_fund: boolean; shortfall: string }
}

/** The SLA tier's part of a quoted total when it changes it: " + priority ×1.5 0.025067", " − flex ×0.95 0.000557". */
function slaPart(q: QuoteView): string {
  const adj = q.pricing_estimate.sla_adjustment
  if (/^-?0\.0+$/.test(adj)) return ''
  return adj.startsWith('-') ? ` − ${q.sla_tier} ×${q.sla_multiplier} ${adj.slice(1)}` : ` + ${q.sla_tier} ×${q.sla_multiplier} ${adj}`
}

/** Human lines describing a quote: total, lanes chosen, funding. */
export function describeQuote(q: QuoteView): string[] {
  const lines = [
    `${q.item_count} items, estimated total ${q.pricing_estimate.total} USD (providers ${q.pricing_estimate.provider_subtotal} + fee ${q.pricing_estimate.batchrouter_fee}${slaPart(q)}); ${q.sla_tier} SLA, ${q.routing_mode} routing`,
  ]
  for (const lane of q.quote_lanes.filter((l) => l.selected)) lines.push(`  ${lane.item_count} × ${lane.model} on ${lane.offering_id}: ${lane.price.total} USD`)
  lines.push(q.customer_explanation.summary)
  const f = q.funding_preview
  lines.push(f.can_fund ? `Your balance (${f.available} USD) covers it. Quote ${q.quote_id} locks these rates until ${q.valid_until}.` : `Not enough credit: ${f.available} USD available, ${f.shortfall} USD short.`)
  return lines
}
