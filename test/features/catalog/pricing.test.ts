/**
 * src/features/catalog/pricing.ts: the SLA tier's multiplier on the customer total, as a table of
 * exact micro-dollar cases, plus seeded invariants (fast-check) of addFees, prorate and sumPrices.
 */
import { describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { validateConfig } from '../../../src/config'
import { addFees, presentPriceBreakdown, priceTokens, prorate, slaFactor, slaMultiplierBps, sumPrices, type FeeSchedule } from '../../../src/features/catalog/pricing'

const fees = (slaMultiplierBps: number, discounts: FeeSchedule['discounts'] = []): FeeSchedule => ({ batchFeeBps: 590, discounts, slaMultiplierBps })

describe('addFees with an SLA multiplier', () => {
  // subtotal → fee (5.9 %, half up) → discount → base = subtotal + fee − discount → adjustment = base × (m − 1), half up.
  const rows: Array<{ name: string; subtotal: number; bps: number; discounts?: FeeSchedule['discounts']; want: { fee: number; discount: number; slaAdjustment: number; total: number } }> = [
    { name: 'standard ×1 changes nothing', subtotal: 1_000_000, bps: 10_000, want: { fee: 59_000, discount: 0, slaAdjustment: 0, total: 1_059_000 } },
    { name: 'flex ×0.95 takes 5 % off the customer total', subtotal: 1_000_000, bps: 9_500, want: { fee: 59_000, discount: 0, slaAdjustment: -52_950, total: 1_006_050 } },
    { name: 'priority ×1.5 adds half the customer total', subtotal: 1_000_000, bps: 15_000, want: { fee: 59_000, discount: 0, slaAdjustment: 529_500, total: 1_588_500 } },
    { name: 'the multiplier applies after the provider discount', subtotal: 1_000_000, bps: 15_000, discounts: [{ provider: 'p', bps: 1_000 }], want: { fee: 59_000, discount: 100_000, slaAdjustment: 479_500, total: 1_438_500 } },
    { name: '×0 makes the work free, never negative', subtotal: 123_456, bps: 0, want: { fee: 7_284, discount: 0, slaAdjustment: -130_740, total: 0 } },
    { name: '×10 is the largest factor', subtotal: 1_000, bps: 100_000, want: { fee: 59, discount: 0, slaAdjustment: 9_531, total: 10_590 } },
    // base 21: 21 × 0.5 = 10.5 → 11 (half up); 21 × −0.05 = −1.05 → −1.
    { name: 'a half micro-dollar rounds up (priority)', subtotal: 20, bps: 15_000, want: { fee: 1, discount: 0, slaAdjustment: 11, total: 32 } },
    { name: 'a small flex adjustment rounds to the nearest micro-dollar', subtotal: 20, bps: 9_500, want: { fee: 1, discount: 0, slaAdjustment: -1, total: 20 } },
    // base 9: 9 × −0.05 = −0.45 → 0, never "-0".
    { name: 'an adjustment under half a micro-dollar is 0, not -0', subtotal: 9, bps: 9_500, want: { fee: 1, discount: 0, slaAdjustment: 0, total: 10 } },
    { name: 'nothing to pay stays nothing', subtotal: 0, bps: 15_000, want: { fee: 0, discount: 0, slaAdjustment: 0, total: 0 } },
  ]
  for (const r of rows) {
    it(r.name, () => {
      const price = addFees(r.subtotal, 'p', fees(r.bps, r.discounts))
      expect(price).toEqual({ providerSubtotal: r.subtotal, ...r.want })
      expect(Object.is(price.slaAdjustment, -0)).toBe(false)
    })
  }

  it('prices tokens through the same path: flex, standard and priority of one demand', () => {
    const rates = { input: 150_000, output: 600_000 } // gpt-4o-mini-like batch rates, µ$ per 1M
    const at = (bps: number) => priceTokens(2_000_000, 1_000_000, rates, 'openai', fees(bps)).total
    // subtotal 0.300000 + 0.600000 = 0.900000; fee 0.053100; base 0.953100.
    expect([at(9_500), at(10_000), at(15_000)]).toEqual([905_445, 953_100, 1_429_650])
  })

  it('shows the adjustment signed on the wire, "0.000000" at ×1', () => {
    expect(presentPriceBreakdown(addFees(1_000_000, 'p', fees(9_500)))).toEqual({ currency: 'usd', provider_subtotal: '1.000000', batchrouter_fee: '0.059000', customer_discount: '0.000000', sla_adjustment: '-0.052950', total: '1.006050' })
    expect(presentPriceBreakdown(addFees(1_000_000, 'p', fees(10_000))).sla_adjustment).toBe('0.000000')
    expect(presentPriceBreakdown(addFees(1_000_000, 'p', fees(15_000))).sla_adjustment).toBe('0.529500')
  })

  it('reads the tier from the config and publishes it as a factor', () => {
    const config = validateConfig({ dataDir: '/tmp/unused', fees: { slaMultiplierBps: { flex: 8_500 } } })
    expect([slaMultiplierBps(config, 'standard'), slaMultiplierBps(config, 'flex'), slaMultiplierBps(config, 'priority')]).toEqual([10_000, 8_500, 15_000])
    expect([slaFactor(8_500), slaFactor(10_000), slaFactor(15_000), slaFactor(12_345)]).toEqual([0.85, 1, 1.5, 1.2345])
  })
})

describe('prorate with an SLA adjustment', () => {
  it('splits a flex price so that the shares cover the whole (adjustment rounded towards more money)', () => {
    const whole = addFees(1_000_001, 'p', fees(9_500))
    const a = prorate(whole, 1, 3)
    const b = prorate(whole, 2, 3)
    expect(a.total).toBe(a.providerSubtotal + a.fee - a.discount + a.slaAdjustment)
    expect(a.slaAdjustment).toBe(Math.ceil(whole.slaAdjustment / 3))
    expect(a.total + b.total).toBeGreaterThanOrEqual(whole.total)
    expect(a.total + b.total - whole.total).toBeLessThanOrEqual(6)
  })

  it('keeps a free (×0) share at 0', () => {
    const whole = addFees(999, 'p', fees(0))
    expect(prorate(whole, 1, 7).total).toBe(0)
  })
})

describe('pricing invariants (fast-check, seeded)', () => {
  const arb = fc.record({
    subtotal: fc.integer({ min: 0, max: 50_000_000_000 }),
    feeBps: fc.integer({ min: 0, max: 10_000 }),
    discountBps: fc.integer({ min: 0, max: 10_000 }),
    slaBps: fc.integer({ min: 0, max: 100_000 }),
    part: fc.integer({ min: 1, max: 1000 }),
    whole: fc.integer({ min: 1, max: 1000 }),
  })

  it('a price adds up, never goes below 0, follows the multiplier, and split shares cover it (5000 cases)', () => {
    let split = 0
    fc.assert(
      fc.property(arb, ({ subtotal, feeBps, discountBps, slaBps, part, whole }) => {
        const schedule: FeeSchedule = { batchFeeBps: feeBps, discounts: [{ provider: 'p', bps: discountBps }], slaMultiplierBps: slaBps }
        const price = addFees(subtotal, 'p', schedule)
        const base = price.providerSubtotal + price.fee - price.discount
        expect(price.total).toBe(base + price.slaAdjustment)
        expect(price.total).toBeGreaterThanOrEqual(0)
        // One rounding: the total is base × multiplier to within half a micro-dollar.
        expect(Math.abs(price.total - (base * slaBps) / 10_000)).toBeLessThanOrEqual(0.5 + 1e-6 * base)
        // A dearer tier never costs less.
        expect(addFees(subtotal, 'p', { ...schedule, slaMultiplierBps: Math.min(100_000, slaBps + 500) }).total).toBeGreaterThanOrEqual(price.total)
        if (part < whole) {
          split++
          const share = prorate(price, part, whole)
          const rest = prorate(price, whole - part, whole)
          expect(share.total).toBe(share.providerSubtotal + share.fee - share.discount + share.slaAdjustment)
          expect(share.total).toBeGreaterThanOrEqual(0)
          if (price.total === 0) expect(share.total).toBe(0)
          expect(sumPrices([share, rest]).total).toBeGreaterThanOrEqual(price.total)
        }
      }),
      { numRuns: 5000, seed: 20260822 },
    )
    expect(split).toBeGreaterThan(1000)
  })
})
