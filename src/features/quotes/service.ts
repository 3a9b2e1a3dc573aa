/**
 * Quotes: free, reserve nothing, lock per-token rates for 10 minutes. The same planner prices
 * batch creation, so a batch created from a quote is charged at most what the quote said for
 * the same items.
 */
import { rmSync } from 'node:fs'
import type { Deps } from '../../deps'
import { AppError } from '../../lib/errors'
import { newId } from '../../lib/ids'
import { formatMicros } from '../../lib/money'
import { toIso } from '../../lib/clock'
import { getBalance } from '../credits/index'
import { feeSchedule, presentPriceBreakdown, slaFactor, slaMultiplierBps } from '../catalog/index'
import { groupDemands, liveOfferingStates, modelLookup, modelsListProblems, planRouting, policyFromRequest, ratesToLock, presentQuoteLanes, type LanePrice, type RoutingPlan } from '../routing/index'
import { quotesTable } from './table'
import { loadRequestItems } from '../items/index'
import { explainPlan } from './present'
import { routingParams } from './params'
import type { QuoteBody, QuoteResponse } from './models'

export const QUOTE_TTL_MS = 10 * 60 * 1000

/** Prices the request's items on every eligible lane, stores the quote and returns it. */
export async function createQuote(deps: Deps, orgId: string, body: QuoteBody): Promise<QuoteResponse> {
  const catalog = deps.catalog()
  const policy = policyFromRequest(deps.config, body, catalog)
  const loaded = await loadRequestItems(deps, orgId, body, { exactTokens: true, extraProblems: modelsListProblems(catalog, body.models) })
  if (loaded.isTemp) rmSync(loaded.path, { force: true })
  const states = liveOfferingStates(deps)
  const multiplier = slaMultiplierBps(deps.config, policy.slaTier)
  const plan = planRouting(groupDemands(loaded.drafts, modelLookup(catalog), policy.models), states, policy, feeSchedule(deps, multiplier))
  assertSomethingRuns(plan)
  assertWithinMaxPrice(plan.total, policy.maxPriceMicros)
  const now = deps.clock.now()
  const lanes = presentQuoteLanes(plan)
  const balance = getBalance(deps, orgId)
  const { params, hash } = routingParams(policy)
  const response: QuoteResponse = {
    quote_id: newId('quote'),
    object: 'quote',
    valid_until: toIso(now + QUOTE_TTL_MS),
    item_count: loaded.drafts.length,
    estimated_input_tokens: sum(loaded.drafts.map((d) => d.estInputTokens)),
    estimated_output_tokens: sum(loaded.drafts.map((d) => d.estOutputTokens)),
    token_estimate_method: 'Input tokens counted exactly (o200k/cl100k) for OpenAI models and estimated as UTF-8 characters / 4 for others; output tokens from max_tokens or the model default.',
    pricing_estimate: presentPriceBreakdown(plan.total),
    sla_tier: policy.slaTier,
    sla_multiplier: slaFactor(multiplier),
    routing_mode: policy.routingMode,
    privacy_tier: policy.privacyTier,
    sla_deadline: toIso(now + policy.slaSeconds * 1000),
    quote_lanes: lanes,
    customer_explanation: explainPlan(plan, lanes, policy),
    funding_preview: {
      available: formatMicros(balance.available),
      reservation_amount: formatMicros(plan.total.total),
      can_fund: balance.available >= plan.total.total,
      shortfall: formatMicros(Math.max(0, plan.total.total - balance.available)),
    },
  }
  deps.db
    .insert(quotesTable)
    .values({ id: response.quote_id, orgId, paramsHash: hash, params, lockedRates: ratesToLock(states), slaMultiplierBps: multiplier, totalMicros: plan.total.total, response, createdAt: now, validUntil: now + QUOTE_TTL_MS })
    .run()
  return response
}

/** The fee schedule from config in the shape the planner takes. */
/**
 * For quotes: 400 no_eligible_lane when nothing can run; 503 provider_capacity_unavailable when
 * eligible lanes exist but together lack room (for some group, or for every group when nothing
 * was placed). A group with no eligible lane beside others that run is reported in the quote.
 */
export function assertSomethingRuns(plan: RoutingPlan): void {
  if (plan.groups.some((g) => g.selection.candidates.some((c) => c.selected))) {
    const short = plan.groups.filter((g) => g.selection.unallocated > 0 && g.selection.candidates.some((c) => c.rejectionCode === null))
    if (short.length === 0) return
    throw capacityError(short, 'The eligible lanes do not have room for all items right now; retry later or relax the routing policy.')
  }
  const capacityOnly = plan.groups.filter((g) => g.selection.candidates.some((c) => c.rejectionCode === null || c.rejectionCode === 'capacity_full'))
  if (capacityOnly.length > 0 && capacityOnly.length === plan.groups.length) throw capacityError(capacityOnly, 'The eligible lanes do not have room for these items right now; retry later or relax the routing policy.')
  throw noEligibleLane(plan.groups, 'No lane can run these items under the requested policy; see error.details.rejections for why each lane was refused.')
}

/**
 * For batch creation: every group must run now or be able to wait (only provider_unavailable or
 * capacity_full stand in its way, and it would fit an idle router). Otherwise 400
 * no_eligible_lane naming the groups no lane will ever take, or 503 provider_capacity_unavailable
 * when a group is larger than all its eligible lanes together could ever hold.
 */
export function assertBatchCanRun(plan: RoutingPlan): void {
  const never = plan.groups.filter((g) => !g.routable && !g.waitable)
  if (never.length === 0) return
  const tooBig = never.filter((g) => g.ifAvailable?.candidates.some((c) => c.rejectionCode === null))
  if (tooBig.length === never.length) throw capacityError(tooBig.map((g) => ({ ...g, selection: g.ifAvailable! })), 'Some item groups are larger than all their eligible lanes together can hold; split the batch or relax the routing policy.')
  const names = never.filter((g) => !tooBig.includes(g)).map((g) => `${g.demand.itemCount} ${g.key.replace('|', ' ')}`)
  throw noEligibleLane(never, `No lane can ever run ${names.join(', ')} items under the requested policy (and waiting would not help); see error.details.rejections for why each lane was refused.`)
}

/** 400 validation_failed (param max_price) when the total exceeds max_price. */
export function assertWithinMaxPrice(total: LanePrice, maxPriceMicros: number | undefined): void {
  if (maxPriceMicros === undefined || total.total <= maxPriceMicros) return
  throw new AppError('validation_failed', {
    message: `The estimated total ${formatMicros(total.total)} USD exceeds max_price ${formatMicros(maxPriceMicros)} USD; raise max_price, send fewer items or choose cheaper models.`,
    param: 'max_price',
    details: { total: presentPriceBreakdown(total), max_price: { currency: 'usd', amount: formatMicros(maxPriceMicros) } },
  })
}

function noEligibleLane(groups: RoutingPlan['groups'], message: string): AppError {
  return new AppError('no_eligible_lane', {
    message,
    details: { rejections: groups.flatMap((g) => g.selection.candidates.filter((c) => c.rejectionCode !== null).map((c) => ({ model: c.model, operation: c.operation, provider: c.provider, offering_id: c.offeringId, rejection_code: c.rejectionCode, reason: c.reason }))) },
  })
}

function capacityError(groups: Pick<RoutingPlan['groups'][number], 'demand' | 'selection'>[], message: string): AppError {
  return new AppError('provider_capacity_unavailable', {
    message,
    retryAfter: 60,
    details: {
      capacity: groups.map((g) => ({
        model: g.demand.model.slug,
        operation: g.demand.operation,
        requested: g.demand.itemCount,
        unallocated: g.selection.unallocated,
        lanes: g.selection.candidates.filter((c) => c.rejectionCode === null || c.rejectionCode === 'capacity_full').map((c) => ({ offering_id: c.offeringId, capacity_left: c.capacityLeft, allocated: c.itemCount })),
      })),
    },
  })
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0)
}
