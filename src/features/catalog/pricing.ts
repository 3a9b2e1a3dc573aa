/**
 * Pricing, in one module: an offering's catalog rates in micro-dollars per 1M tokens, tokens ×
 * rates, the BatchRouter fee and provider discounts from the config, sums and pro-rata shares.
 * Quotes, batch reservations, lane selection and the outcome path all price through here.
 */
import type { Deps } from '../../deps'
import { applyBps, costOfTokens, formatMicros, parseMicros } from '../../lib/money'
import type { CatalogOffering } from './models'

/** The fee and discounts of the config (`fees`), in basis points. */
export interface FeeSchedule {
  batchFeeBps: number
  discounts: { provider: string; bps: number }[]
}

export interface LanePrice {
  providerSubtotal: number
  fee: number
  discount: number
  total: number
}

/**
 * SLA tier price factors in basis points of the provider subtotal (10_000 = ×1), as published by
 * GET /v1/pricing/fees. Every tier is ×1: a tier changes which lanes are eligible (flex may use
 * slower, cheaper lanes; priority only fast ones), not the price of a lane — and the fee schedule
 * must never advertise a factor that quotes and settlement do not apply.
 */
export const SLA_MULTIPLIER_BPS = { standard: 10_000, flex: 10_000, priority: 10_000 } as const
export type SlaTier = keyof typeof SLA_MULTIPLIER_BPS

/** The app's fee schedule (config `fees`). */
export function feeSchedule(deps: Deps): FeeSchedule {
  return { batchFeeBps: deps.config.fees.batchFeeBps, discounts: deps.config.fees.discounts.map((d) => ({ provider: d.provider, bps: d.bps })) }
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

/** Subtotal from tokens at micro-dollar-per-1M rates, then fee and discount in basis points. */
export function priceTokens(inputTokens: number, outputTokens: number, rates: { input: number; output: number }, provider: string, fees: FeeSchedule): LanePrice {
  const providerSubtotal = costOfTokens(inputTokens, rates.input) + costOfTokens(outputTokens, rates.output)
  return addFees(providerSubtotal, provider, fees)
}

/** Fee and discount on top of a provider subtotal. */
export function addFees(providerSubtotal: number, provider: string, fees: FeeSchedule): LanePrice {
  const fee = applyBps(providerSubtotal, fees.batchFeeBps)
  const discountBps = fees.discounts.find((d) => d.provider === provider)?.bps ?? 0
  const discount = Math.min(applyBps(providerSubtotal, discountBps), providerSubtotal + fee)
  return { providerSubtotal, fee, discount, total: providerSubtotal + fee - discount }
}

/** Sum of several prices. */
export function sumPrices(prices: LanePrice[]): LanePrice {
  return prices.reduce((a, p) => ({ providerSubtotal: a.providerSubtotal + p.providerSubtotal, fee: a.fee + p.fee, discount: a.discount + p.discount, total: a.total + p.total }), { providerSubtotal: 0, fee: 0, discount: 0, total: 0 })
}

/** Share of a demand's price for `part` of `whole` items (used when a group is split). */
export function prorate(price: LanePrice, part: number, whole: number): LanePrice {
  if (whole <= 0 || part >= whole) return price
  const f = (v: number) => Math.ceil((v * part) / whole)
  const providerSubtotal = f(price.providerSubtotal)
  const fee = f(price.fee)
  const discount = Math.min(Math.floor((price.discount * part) / whole), providerSubtotal + fee)
  return { providerSubtotal, fee, discount, total: providerSubtotal + fee - discount }
}

/** A price on the wire: `{currency, provider_subtotal, batchrouter_fee, customer_discount, total}`. */
export type PriceBreakdown = ReturnType<typeof presentPriceBreakdown>

/** `{currency, provider_subtotal, batchrouter_fee, customer_discount, total}` */
export function presentPriceBreakdown(p: LanePrice) {
  return { currency: 'usd' as const, provider_subtotal: formatMicros(p.providerSubtotal), batchrouter_fee: formatMicros(p.fee), customer_discount: formatMicros(p.discount), total: formatMicros(p.total) }
}
