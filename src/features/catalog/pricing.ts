/**
 * Pricing, in one module: an offering's catalog rates in micro-dollars per 1M tokens, tokens ×
 * rates, the BatchRouter fee and provider discounts from the config, the SLA tier's multiplier,
 * sums and pro-rata shares.
 * Quotes, batch reservations, lane selection and the outcome path all price through here.
 */
import type { Config } from '../../config'
import type { Deps } from '../../deps'
import { applyBps, costOfTokens, formatMicros, parseMicros } from '../../lib/money'
import type { CatalogOffering } from './models'

/**
 * The pricing terms of one request, in basis points: the config's fee and provider discounts, and
 * the SLA tier's price multiplier (10_000 = ×1) as the quote or batch locked it.
 */
export interface FeeSchedule {
  batchFeeBps: number
  discounts: { provider: string; bps: number }[]
  /** The SLA tier's factor on the customer total (subtotal + fee − discount); 10_000 = ×1. */
  slaMultiplierBps: number
}

/** A price in micro-dollars: total = providerSubtotal + fee − discount + slaAdjustment. */
export interface LanePrice {
  providerSubtotal: number
  fee: number
  discount: number
  /** What the SLA tier's multiplier adds (priority) or takes off (flex, negative); 0 at ×1. */
  slaAdjustment: number
  total: number
}

export type SlaTier = keyof Config['fees']['slaMultiplierBps']

/** The configured price multiplier of an SLA tier, in basis points (config `fees.slaMultiplierBps`). */
export function slaMultiplierBps(config: Config, tier: SlaTier): number {
  return config.fees.slaMultiplierBps[tier]
}

/** A multiplier in basis points as the factor published on the wire: 9_500 → 0.95. */
export function slaFactor(bps: number): number {
  return bps / 10_000
}

/** The app's fee schedule (config `fees`) for work priced at `slaMultiplierBps` (the tier's, as locked). */
export function feeSchedule(deps: Deps, slaMultiplierBps: number): FeeSchedule {
  return { batchFeeBps: deps.config.fees.batchFeeBps, discounts: deps.config.fees.discounts.map((d) => ({ provider: d.provider, bps: d.bps })), slaMultiplierBps }
}

/** Per-1M-token rates of an offering in micro-dollars, ready for lib/money `costOfTokens`. */
export interface RatesPer1m {
  input: number
  output: number
  /** The cached-input rate; the input rate when the offering names none (no cache discount). */
  cachedInput: number
}

/** An offering's rates in micro-dollars per 1M tokens; throws when a price string is malformed (the schema prevents it). */
export function ratesPer1mMicros(offering: CatalogOffering): RatesPer1m {
  const input = priceMicros(offering, 'input_per_1m', offering.input_per_1m)
  return {
    input,
    output: priceMicros(offering, 'output_per_1m', offering.output_per_1m),
    cachedInput: offering.cached_input_per_1m === undefined ? input : priceMicros(offering, 'cached_input_per_1m', offering.cached_input_per_1m),
  }
}

/** The input and output rates an offering is priced at today (what a quote or batch locks). */
export function catalogRates(offering: CatalogOffering): { input: number; output: number } {
  const { input, output } = ratesPer1mMicros(offering)
  return { input, output }
}

function priceMicros(offering: CatalogOffering, field: string, value: string): number {
  const micros = parseMicros(value)
  if (micros === null) throw new Error(`catalog: offering '${offering.offering_id}' has a malformed ${field} '${value}'`)
  return micros
}

/**
 * Subtotal from tokens at micro-dollar-per-1M rates, then fee and discount in basis points. The
 * one rounding rule (README "Money and rounding"): each part of one item's (or one estimate's)
 * price is rounded once, half up, to a whole micro-dollar — the subtotal from the exact product of
 * all its tokens, never per token kind, and never up to a minimum of 1 µ$ — so a tiny item may
 * cost 0 and Σ item costs is what the batch is charged (batches/work.ts caps it at the reservation).
 */
export function priceTokens(inputTokens: number, outputTokens: number, rates: { input: number; output: number }, provider: string, fees: FeeSchedule): LanePrice {
  const providerSubtotal = costOfTokens(inputTokens, rates.input, outputTokens, rates.output)
  return addFees(providerSubtotal, provider, fees)
}

/**
 * Fee and discount on top of a provider subtotal, then the SLA tier's multiplier on that customer
 * total — the one place a tier changes a price. Each part is rounded once, half up, to a
 * micro-dollar; the total never goes below zero (a multiplier is ≥ 0).
 */
export function addFees(providerSubtotal: number, provider: string, fees: FeeSchedule): LanePrice {
  const fee = applyBps(providerSubtotal, fees.batchFeeBps)
  const discountBps = fees.discounts.find((d) => d.provider === provider)?.bps ?? 0
  const discount = Math.min(applyBps(providerSubtotal, discountBps), providerSubtotal + fee)
  const base = providerSubtotal + fee - discount
  // `+ 0` turns Math.round's -0 (a tiny negative adjustment) into 0.
  const slaAdjustment = applyBps(base, fees.slaMultiplierBps - 10_000) + 0
  return { providerSubtotal, fee, discount, slaAdjustment, total: base + slaAdjustment }
}

const ZERO: LanePrice = { providerSubtotal: 0, fee: 0, discount: 0, slaAdjustment: 0, total: 0 }

/** Sum of several prices. */
export function sumPrices(prices: LanePrice[]): LanePrice {
  return prices.reduce((a, p) => ({ providerSubtotal: a.providerSubtotal + p.providerSubtotal, fee: a.fee + p.fee, discount: a.discount + p.discount, slaAdjustment: a.slaAdjustment + p.slaAdjustment, total: a.total + p.total }), ZERO)
}

/**
 * Share of a demand's price for `part` of `whole` items (used when a group is split). Every part
 * rounds towards more money (subtotal, fee and adjustment up, discount down), so the shares of a
 * reservation never fall short of the whole; the total stays ≥ 0, and 0 for a free price.
 */
export function prorate(price: LanePrice, part: number, whole: number): LanePrice {
  if (whole <= 0 || part >= whole) return price
  const f = (v: number) => Math.ceil((v * part) / whole) + 0
  const providerSubtotal = f(price.providerSubtotal)
  const fee = f(price.fee)
  const discount = Math.min(Math.floor((price.discount * part) / whole), providerSubtotal + fee)
  const base = providerSubtotal + fee - discount
  // A free price (×0) has free shares; otherwise the adjustment rounds up like the rest.
  const slaAdjustment = price.total === 0 ? -base : Math.max(f(price.slaAdjustment), -base)
  return { providerSubtotal, fee, discount, slaAdjustment, total: base + slaAdjustment }
}

/** A price on the wire: `{currency, provider_subtotal, batchrouter_fee, customer_discount, sla_adjustment, total}`. */
export type PriceBreakdown = ReturnType<typeof presentPriceBreakdown>

/** `{currency, provider_subtotal, batchrouter_fee, customer_discount, sla_adjustment, total}`; sla_adjustment is signed ("-0.000123" under flex). */
export function presentPriceBreakdown(p: LanePrice) {
  return { currency: 'usd' as const, provider_subtotal: formatMicros(p.providerSubtotal), batchrouter_fee: formatMicros(p.fee), customer_discount: formatMicros(p.discount), sla_adjustment: formatMicros(p.slaAdjustment), total: formatMicros(p.total) }
}
