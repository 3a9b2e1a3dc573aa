/** The billing receipt (contract §6): quoted vs settled price, the SLA tier's multiplier, per lane, and the credit movements. */
import { eq, sql } from 'drizzle-orm'
import type { Deps } from '../../deps'
import { toIso } from '../../lib/clock'
import { formatMicros } from '../../lib/money'
import { getReservation } from '../credits/index'
import { batchTotals } from './queries'
import { lanesOfBatch } from '../dispatch/index'
import { itemsTable } from '../items/index'
import { rejectedLanes } from '../routing/index'
import { slaFactor } from '../catalog/index'
import { type BatchRow } from './table'

const money = (micros: number | null) => (micros === null ? null : { currency: 'usd' as const, amount: formatMicros(micros) })

export function billingReceipt(deps: Deps, batch: BatchRow) {
  const totals = batchTotals(deps, batch.id)
  const perLane = new Map(
    deps.db
      .select({ laneId: itemsTable.laneId, cost: sql<number>`coalesce(sum(${itemsTable.costMicros}), 0)`, input: sql<number>`coalesce(sum(${itemsTable.inputTokens}), 0)`, output: sql<number>`coalesce(sum(${itemsTable.outputTokens}), 0)` })
      .from(itemsTable)
      .where(eq(itemsTable.batchId, batch.id))
      .groupBy(itemsTable.laneId)
      .all()
      .map((r) => [r.laneId, r]),
  )
  const reservation = batch.reservationId ? getReservation(deps, batch.reservationId) : undefined
  const settled = reservation?.status === 'settled'
  const quoted = batch.estimate.total
  const rejected = rejectedLanes(deps, batch.id)
  return {
    batch_id: batch.id,
    quote: { quote_id: batch.quoteId, quoted_price: { currency: 'usd', amount: quoted } },
    pricing: {
      quoted_price: { currency: 'usd', amount: quoted },
      final_settled_price: settled ? money(reservation!.charged) : null,
      // Every quoted and settled price here already includes the tier's multiplier.
      sla_tier: batch.slaTier,
      sla_multiplier: slaFactor(batch.slaMultiplierBps),
      quoted_sla_adjustment: { currency: 'usd', amount: batch.estimate.sla_adjustment },
    },
    provider_lanes: lanesOfBatch(deps, batch.id).map((l) => {
      const agg = perLane.get(l.id)
      return {
        lane_id: l.id, provider: l.provider, offering_id: l.offeringId, model: l.model, operation: l.operation, item_count: l.itemCount,
        quoted_price: money(l.quotedMicros), final_settled_price: settled ? money(Number(agg?.cost ?? 0)) : null,
        usage: { input_tokens: Number(agg?.input ?? 0), output_tokens: Number(agg?.output ?? 0), total_tokens: Number(agg?.input ?? 0) + Number(agg?.output ?? 0) },
      }
    }),
    rejected_lanes: rejected,
    usage: { input_tokens: totals.inputTokens, output_tokens: totals.outputTokens, total_tokens: totals.inputTokens + totals.outputTokens },
    credits: {
      reserved: money(reservation?.amount ?? batch.reservedMicros),
      charged: money(reservation?.charged ?? 0),
      released: money(reservation?.released ?? 0),
      reservation_id: batch.reservationId,
      reservation_status: reservation?.status ?? 'active',
      settled_at: reservation?.settledAt ? toIso(reservation.settledAt) : null,
    },
  }
}
