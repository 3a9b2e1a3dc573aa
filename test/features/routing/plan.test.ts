/**
 * The request-level planner: grouping by `models` lists, plans that may wait (only transient
 * obstacles), what a waiting batch reserves, and the quote/batch refusals built on the plan
 * (400 no_eligible_lane, 503 provider_capacity_unavailable, max_price).
 */
import { describe, expect, it } from 'bun:test'
import { AppError } from '../../../src/lib/errors'
import type { Operation } from '../../../src/catalog-schema'
import { groupDemands, planRouting, reservationPrice } from '../../../src/features/routing/plan'
import { assertBatchCanRun, assertSomethingRuns, assertWithinMaxPrice } from '../../../src/features/quotes/service'
import { CHAT, CHAT_LITE, EDGE_P, EDGE_R, EMBED, FEES, LITE, RETAIN, WORLD, ZDR_EU, demand, model, policy, state, worldWith } from './world'

const lookup = (slug: string) => [CHAT, CHAT_LITE, EMBED, model('other')].find((m) => m.slug === slug)
const item = (m: string, operation: Operation = 'responses') => ({ model: m, operation, estInputTokens: 1000, estOutputTokens: 500 })

function refusal(fn: () => void): AppError {
  try {
    fn()
  } catch (err) {
    if (err instanceof AppError) return err
    throw err
  }
  throw new Error('expected a refusal')
}

describe('groupDemands with a models list', () => {
  it('merges items whose model is listed into one group per operation; other items keep their model', () => {
    const groups = groupDemands([item('chat'), item('other'), item('chat-lite'), item('chat'), item('embed', 'embeddings')], lookup, ['chat-lite', 'chat'])
    expect(groups.map((g) => [g.model.slug, g.operation, g.itemCount, g.itemModels, g.alternatives?.map((m) => m.slug) ?? null])).toEqual([
      ['chat-lite', 'responses', 3, ['chat', 'chat-lite'], ['chat-lite', 'chat']],
      ['other', 'responses', 1, ['other'], null],
      ['embed', 'embeddings', 1, ['embed'], null],
    ])
    expect(groups[0]!.inputTokens).toBe(3000)
  })

  it('without a list groups by model × operation', () => {
    expect(groupDemands([item('chat'), item('chat', 'vision'), item('chat')], lookup).map((g) => [g.model.slug, g.operation, g.itemCount])).toEqual([
      ['chat', 'responses', 2],
      ['chat', 'vision', 1],
    ])
  })

  it('the merged group runs on the cheapest listed model', () => {
    const [group] = groupDemands([item('chat'), item('chat')], lookup, ['chat', 'chat-lite'])
    const plan = planRouting([group!], worldWith(state(LITE)), policy(), FEES)
    expect(plan.groups[0]!.key).toBe('models|responses')
    expect(plan.groups[0]!.selection.candidates.filter((c) => c.selected).map((c) => [c.offeringId, c.model, c.itemCount])).toEqual([['lite-pub', 'chat-lite', 2]])
  })
})

describe('planRouting: waiting and reservations', () => {
  it('a restricted group whose only restricted lane is down waits, priced at that lane', () => {
    const plan = planRouting([demand({ itemCount: 40 })], worldWith(state(EDGE_R, { available: false })), policy({ privacyTier: 'restricted' }), FEES)
    const g = plan.groups[0]!
    expect([g.routable, g.waitable]).toEqual([false, true])
    expect(plan.total.total).toBe(0)
    expect(g.ifAvailable!.candidates.filter((c) => c.selected).map((c) => [c.offeringId, c.itemCount])).toEqual([['edge-restricted', 40]])
    expect(reservationPrice(plan).total).toBe(g.ifAvailable!.candidates[0]!.price.total)
    expect(() => assertBatchCanRun(plan)).not.toThrow()
    const quote = refusal(() => assertSomethingRuns(plan))
    expect(quote.code).toBe('no_eligible_lane')
    expect((quote.details!.rejections as { offering_id: string; rejection_code: string }[]).find((r) => r.offering_id === 'edge-restricted')!.rejection_code).toBe('provider_unavailable')
  })

  it('a group whose lanes are full right now waits for room; the quote answers 503 with the capacity', () => {
    const full = [RETAIN].map((o) => state(o, { capacityLeft: 0, heldItems: 10_000 }))
    const plan = planRouting([demand()], full, policy(), FEES)
    expect([plan.groups[0]!.routable, plan.groups[0]!.waitable]).toEqual([false, true])
    expect(() => assertBatchCanRun(plan)).not.toThrow()
    const err = refusal(() => assertSomethingRuns(plan))
    expect(err.code).toBe('provider_capacity_unavailable')
    expect(err.retryAfter).toBe(60)
    expect(err.details!.capacity).toEqual([{ model: 'chat', operation: 'responses', requested: 100, unallocated: 100, lanes: [{ offering_id: 'retain-us', capacity_left: 0, allocated: 0 }] }])
  })

  it('a group no lane may ever take is refused at create with 400 no_eligible_lane (never waits)', () => {
    const plan = planRouting([demand()], [state(RETAIN)], policy({ privacyTier: 'restricted' }), FEES)
    expect([plan.groups[0]!.routable, plan.groups[0]!.waitable]).toEqual([false, false])
    const err = refusal(() => assertBatchCanRun(plan))
    expect(err.code).toBe('no_eligible_lane')
    expect(err.details!.rejections).toEqual([{ model: 'chat', operation: 'responses', provider: 'retain', offering_id: 'retain-us', rejection_code: 'privacy_tier_mismatch', reason: 'Restricted work runs only on edge nodes enrolled as restricted, never on a public lane.' }])
  })

  it('a group whose only lanes are public providers that are not configured never waits: 400 no_eligible_lane at create', () => {
    const plan = planRouting([demand()], [state(RETAIN, { available: false }), state(ZDR_EU, { available: false })], policy(), FEES)
    const g = plan.groups[0]!
    expect([g.routable, g.waitable]).toEqual([false, false])
    expect(reservationPrice(plan).total).toBe(0)
    const err = refusal(() => assertBatchCanRun(plan))
    expect(err.code).toBe('no_eligible_lane')
    expect(err.message).toContain('100 chat responses items')
    expect(err.details!.rejections).toEqual([
      { model: 'chat', operation: 'responses', provider: 'retain', offering_id: 'retain-us', rejection_code: 'provider_unavailable', reason: 'Provider retain is not configured on this router (no endpoint or credential); the operator must configure it before work can run there.' },
      { model: 'chat', operation: 'responses', provider: 'zdrco', offering_id: 'zdrco-eu', rejection_code: 'provider_unavailable', reason: 'Provider zdrco is not configured on this router (no endpoint or credential); the operator must configure it before work can run there.' },
    ])
    // The quote says the same.
    expect(refusal(() => assertSomethingRuns(plan)).code).toBe('no_eligible_lane')
  })

  it('only temporary unavailability waits: an open circuit, full lanes, or an edge lane with no node online', () => {
    const cases: Array<[string, ReturnType<typeof state>[]]> = [
      ['circuit open', [state(RETAIN, { circuit: 'open' })]],
      ['lanes full', [state(RETAIN, { capacityLeft: 0, heldItems: 10_000 })]],
      ['no edge node online', [state(EDGE_P, { available: false })]],
      ['an unconfigured public provider beside an edge lane that may come online', [state(RETAIN, { available: false }), state(EDGE_P, { available: false })]],
    ]
    for (const [name, states] of cases) {
      const plan = planRouting([demand()], states, policy(), FEES)
      expect([name, plan.groups[0]!.routable, plan.groups[0]!.waitable]).toEqual([name, false, true])
      expect(() => assertBatchCanRun(plan)).not.toThrow()
    }
    // Waiting for the edge lane never reserves at the unconfigured public one.
    const mixed = planRouting([demand()], cases[3]![1], policy(), FEES)
    expect(mixed.groups[0]!.ifAvailable!.candidates.filter((c) => c.selected).map((c) => c.offeringId)).toEqual(['edge2-plain'])
    expect(mixed.groups[0]!.ifAvailable!.candidates.find((c) => c.offeringId === 'retain-us')!.rejectionCode).toBe('provider_unavailable')
  })

  it('a group larger than its lanes could ever hold is refused with 503 provider_capacity_unavailable', () => {
    const plan = planRouting([demand({ itemCount: 60 })], [state(EDGE_R, { capacityLeft: 10 })], policy({ privacyTier: 'restricted' }), FEES)
    expect(plan.groups[0]!.waitable).toBe(false)
    expect(refusal(() => assertBatchCanRun(plan)).code).toBe('provider_capacity_unavailable')
  })

  it('groups that split share capacity in the waiting plan too', () => {
    const plan = planRouting([demand({ itemCount: 30 }), demand({ itemCount: 30, operation: 'vision' })], [state(EDGE_R, { available: false })], policy({ privacyTier: 'restricted' }), FEES)
    expect(plan.groups.map((g) => g.waitable)).toEqual([true, false])
  })

  it('a routable plan reserves exactly what it selected', () => {
    const plan = planRouting([demand(), demand({ itemCount: 5, operation: 'vision' })], WORLD, policy(), FEES)
    expect(reservationPrice(plan)).toEqual(plan.total)
  })
})

describe('assertWithinMaxPrice', () => {
  it('answers 400 validation_failed on max_price when the total exceeds it', () => {
    const err = refusal(() => assertWithinMaxPrice({ providerSubtotal: 100, fee: 6, discount: 0, slaAdjustment: 0, total: 106 }, 100))
    expect([err.code, err.param]).toEqual(['validation_failed', 'max_price'])
    expect(err.message).toContain('0.000106 USD exceeds max_price 0.000100 USD')
    expect(() => assertWithinMaxPrice({ providerSubtotal: 100, fee: 0, discount: 0, slaAdjustment: 0, total: 100 }, 100)).not.toThrow()
    expect(() => assertWithinMaxPrice({ providerSubtotal: 100, fee: 0, discount: 0, slaAdjustment: 0, total: 100 }, undefined)).not.toThrow()
  })
})
