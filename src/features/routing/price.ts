/** Pricing of token volumes at per-1M rates, plus the BatchRouter fee and provider discounts. */
import { applyBps, costOfTokens } from '../../lib/money'
import type { FeeSchedule, LanePrice } from './types'

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
