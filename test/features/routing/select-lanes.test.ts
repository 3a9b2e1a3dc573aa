/**
 * selectLanes, the pure lane planner: table-driven cases for every routing mode, privacy tier and
 * rejection code, and seeded random loops (fast-check) for its allocation and privacy invariants.
 */
import { describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { selectLanes } from '../../../src/features/routing/select-lanes'
import { planRouting } from '../../../src/features/routing/plan'
import { priceTokens } from '../../../src/features/catalog/pricing'
import type { CatalogModel, CatalogOffering } from '../../../src/features/catalog/models'
import type { FeeSchedule, LaneCandidate, LaneDemand, OfferingState, RoutingPolicy } from '../../../src/features/routing/types'
import { REJECTION_CODES } from '../../../src/features/routing/vocabulary'

const HOUR = 3600
const FEES: FeeSchedule = { batchFeeBps: 590, discounts: [], slaMultiplierBps: 10_000 }

const MODEL: CatalogModel = {
  slug: 'm', display_name: 'M', provider: 'maker', aliases: [], operations: ['responses', 'vision'],
  context_window: 100_000, max_output_tokens: 8000, default_output_tokens: 500, tokenizer: 'estimate',
}

/** An offering of MODEL; rates are micro-dollars per 1M tokens in the state, strings here. */
function offering(id: string, o: Partial<CatalogOffering> = {}): CatalogOffering {
  return {
    offering_id: id, model: 'm', provider: id.split('-')[0]!, lane_kind: 'public', input_per_1m: '1.00', output_per_1m: '1.00',
    max_batch_items: 10_000, concurrency: 8, regions: ['us'], retention: { zdr: false, days: 30 }, privacy_tiers: ['standard'],
    hosted_tools: [], supports_tools: true, turnaround_seconds: HOUR / 2, ...o,
  }
}

function state(o: CatalogOffering, s: Partial<Omit<OfferingState, 'offering'>> = {}): OfferingState {
  return { offering: o, available: true, capacityLeft: o.max_batch_items, rates: { input: Number(o.input_per_1m) * 1e6, output: Number(o.output_per_1m) * 1e6 }, ...s }
}

function demand(d: Partial<LaneDemand> = {}): LaneDemand {
  return { model: MODEL, operation: 'responses', itemCount: 100, inputTokens: 100_000, outputTokens: 50_000, maxItemTokens: 1500, needsTools: false, ...d }
}

function policy(p: Partial<RoutingPolicy> = {}): RoutingPolicy {
  return { routingMode: 'cheapest', privacyTier: 'standard', slaSeconds: 24 * HOUR, allowFallbacks: true, ...p }
}

// A small world: three public lanes (one zero-retention), an edge lane enrolled as restricted,
// and an edge lane that is not.
const CHEAP = offering('cheapco-m', { input_per_1m: '0.50', output_per_1m: '0.50', turnaround_seconds: 6 * HOUR, regions: ['us'] })
const MID = offering('midco-m', { input_per_1m: '1.00', output_per_1m: '1.00', regions: ['eu'] })
const ZDR = offering('zdrco-m', { input_per_1m: '2.00', output_per_1m: '2.00', retention: { zdr: true, days: 0 }, privacy_tiers: ['standard', 'confidential'], supports_tools: false })
const EDGE_R = offering('edge-r', { provider: 'edge', lane_kind: 'edge', input_per_1m: '3.00', output_per_1m: '3.00', regions: ['local'], retention: { zdr: true, days: 0 }, privacy_tiers: ['standard', 'confidential', 'restricted'], max_batch_items: 40 })
const EDGE_S = offering('edge-s', { provider: 'edge', lane_kind: 'edge', input_per_1m: '2.50', output_per_1m: '2.50', regions: ['local'], retention: { zdr: true, days: 0 }, privacy_tiers: ['standard', 'confidential'] })
const WORLD = [CHEAP, MID, ZDR, EDGE_R, EDGE_S].map((o) => state(o))

const selected = (cs: LaneCandidate[]) => cs.filter((c) => c.selected).map((c) => [c.offeringId, c.itemCount])
const rejections = (cs: LaneCandidate[]): Record<string, string> => Object.fromEntries(cs.filter((c) => c.rejectionCode).map((c) => [c.offeringId, c.rejectionCode as string]))

interface Case {
  name: string
  demand?: Partial<LaneDemand>
  policy?: Partial<RoutingPolicy>
  states?: OfferingState[]
  selected: [string, number][]
  rejected?: Record<string, string>
  unallocated?: number
}

const CASES: Case[] = [
  {
    name: 'cheapest picks the lowest total',
    selected: [['cheapco-m', 100]],
    rejected: {},
  },
  {
    name: 'restricted: only the edge lane enrolled as restricted; public lanes privacy_tier_mismatch',
    policy: { privacyTier: 'restricted' },
    selected: [['edge-r', 40]],
    rejected: { 'cheapco-m': 'privacy_tier_mismatch', 'midco-m': 'privacy_tier_mismatch', 'zdrco-m': 'privacy_tier_mismatch', 'edge-s': 'privacy_tier_mismatch' },
    unallocated: 60,
  },
  {
    name: 'confidential: zero-retention public lanes or edge lanes',
    policy: { privacyTier: 'confidential' },
    selected: [['zdrco-m', 100]],
    rejected: { 'cheapco-m': 'privacy_tier_mismatch', 'midco-m': 'privacy_tier_mismatch' },
  },
  {
    name: 'public_only excludes edge lanes',
    policy: { routingMode: 'public_only' },
    selected: [['cheapco-m', 100]],
    rejected: { 'edge-r': 'routing_mode_excluded', 'edge-s': 'routing_mode_excluded' },
  },
  {
    name: 'edge_only excludes public lanes (cheapest edge first)',
    policy: { routingMode: 'edge_only' },
    selected: [['edge-s', 100]],
    rejected: { 'cheapco-m': 'routing_mode_excluded', 'midco-m': 'routing_mode_excluded', 'zdrco-m': 'routing_mode_excluded' },
  },
  {
    name: 'hybrid fills edge lanes first, overflow to the cheapest public lane',
    policy: { routingMode: 'hybrid' },
    states: [state(CHEAP), state(EDGE_R), state(EDGE_S, { capacityLeft: 30 })],
    selected: [['edge-s', 30], ['edge-r', 40], ['cheapco-m', 30]],
    rejected: {},
  },
  {
    name: 'privacy_constrained allows only zero-retention public lanes and edge lanes',
    policy: { routingMode: 'privacy_constrained' },
    selected: [['zdrco-m', 100]],
    rejected: { 'cheapco-m': 'routing_mode_excluded', 'midco-m': 'routing_mode_excluded' },
  },
  {
    name: 'allowed_regions filters lanes by region',
    policy: { allowedRegions: ['eu'] },
    selected: [['midco-m', 100]],
    rejected: { 'cheapco-m': 'region_not_allowed', 'zdrco-m': 'region_not_allowed', 'edge-r': 'region_not_allowed', 'edge-s': 'region_not_allowed' },
  },
  {
    name: 'items with tools skip lanes that take no tools',
    demand: { needsTools: true },
    policy: { privacyTier: 'confidential', routingMode: 'public_only' },
    selected: [],
    rejected: { 'cheapco-m': 'privacy_tier_mismatch', 'midco-m': 'privacy_tier_mismatch', 'zdrco-m': 'tool_support', 'edge-r': 'routing_mode_excluded', 'edge-s': 'routing_mode_excluded' },
    unallocated: 100,
  },
  {
    name: 'an item larger than the context window is rejected everywhere',
    demand: { maxItemTokens: 100_001 },
    selected: [],
    rejected: Object.fromEntries(WORLD.map((s) => [s.offering.offering_id, 'context_window_exceeded'])),
    unallocated: 100,
  },
  {
    name: 'priority (1 h): a 6 h lane is sla_unachievable, the next lane wins',
    policy: { slaSeconds: HOUR },
    selected: [['midco-m', 100]],
    rejected: { 'cheapco-m': 'sla_unachievable' },
  },
  {
    name: 'sla_aware wants twice the turnaround inside the deadline',
    policy: { routingMode: 'sla_aware', slaSeconds: HOUR - 1 },
    selected: [],
    rejected: Object.fromEntries(WORLD.map((s) => [s.offering.offering_id, 'sla_unachievable'])),
    unallocated: 100,
  },
  {
    name: 'capacity split: the cheapest lane is filled, the rest goes to the next',
    states: [state(CHEAP, { capacityLeft: 60 }), state(MID, { capacityLeft: 25 }), state(ZDR)],
    selected: [['cheapco-m', 60], ['midco-m', 25], ['zdrco-m', 15]],
    rejected: {},
  },
  {
    name: 'capacity short: what fits is placed, the rest is unallocated',
    states: [state(CHEAP, { capacityLeft: 30 }), state(MID, { capacityLeft: 20 })],
    selected: [['cheapco-m', 30], ['midco-m', 20]],
    unallocated: 50,
  },
  {
    name: 'all lanes full: capacity_full everywhere, everything unallocated',
    states: [state(CHEAP, { capacityLeft: 0 }), state(MID, { capacityLeft: 0 })],
    selected: [],
    rejected: { 'cheapco-m': 'capacity_full', 'midco-m': 'capacity_full' },
    unallocated: 100,
  },
  {
    name: 'provider_preferences.only excludes other providers',
    policy: { only: ['midco', 'zdrco'] },
    selected: [['midco-m', 100]],
    rejected: { 'cheapco-m': 'provider_excluded', 'edge-r': 'provider_excluded', 'edge-s': 'provider_excluded' },
  },
  {
    name: 'provider_preferences.order ranks before price',
    policy: { order: ['zdrco', 'midco'] },
    selected: [['zdrco-m', 100]],
    rejected: {},
  },
  {
    name: 'provider_preferences.zdr excludes retaining providers',
    policy: { zdr: true },
    selected: [['zdrco-m', 100]],
    rejected: { 'cheapco-m': 'provider_excluded', 'midco-m': 'provider_excluded' },
  },
  {
    name: 'max_price rejects lanes whose total is above it',
    // cheapco: 0.075 + fee; midco: 0.15 + fee; zdr 0.30 …
    policy: { maxPriceMicros: 100_000, slaSeconds: HOUR },
    selected: [],
    rejected: { 'cheapco-m': 'sla_unachievable', 'midco-m': 'price_above_max', 'zdrco-m': 'price_above_max', 'edge-r': 'price_above_max', 'edge-s': 'price_above_max' },
    unallocated: 100,
  },
  {
    name: 'an unavailable provider is provider_unavailable',
    states: [state(CHEAP, { available: false }), state(MID)],
    selected: [['midco-m', 100]],
    rejected: { 'cheapco-m': 'provider_unavailable' },
  },
  {
    name: 'an operation the model lacks is operation_unsupported on every lane',
    demand: { operation: 'embeddings' },
    states: [state(CHEAP), state(MID)],
    selected: [],
    rejected: { 'cheapco-m': 'operation_unsupported', 'midco-m': 'operation_unsupported' },
    unallocated: 100,
  },
]

describe('selectLanes', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const result = selectLanes(demand(c.demand), c.states ?? WORLD, policy(c.policy), FEES)
      expect(selected(result.candidates)).toEqual(c.selected)
      if (c.rejected) expect(rejections(result.candidates)).toEqual(c.rejected)
      expect(result.unallocated).toBe(c.unallocated ?? 0)
      for (const cand of result.candidates) {
        if (cand.rejectionCode) {
          expect(cand).toMatchObject({ selected: false, rank: null, itemCount: 0, allocationPercent: 0 })
          expect(cand.reason.length).toBeGreaterThan(0)
        }
      }
    })
  }

  it('ranks eligible lanes by total and names the others as fallbacks in rank order', () => {
    const { candidates } = selectLanes(demand(), WORLD, policy(), FEES)
    expect(candidates.map((c) => [c.offeringId, c.rank])).toEqual([['cheapco-m', 1], ['midco-m', 2], ['zdrco-m', 3], ['edge-s', 4], ['edge-r', 5]])
    expect(candidates[0]!.fallbackOrder).toEqual(['midco-m', 'zdrco-m', 'edge-s', 'edge-r'])
    expect(selectLanes(demand(), WORLD, policy({ allowFallbacks: false }), FEES).candidates[0]!.fallbackOrder).toEqual([])
  })

  it('prices the selected lane at its rates plus the fee, and splits prices pro rata', () => {
    const whole = priceTokens(100_000, 50_000, { input: 500_000, output: 500_000 }, 'cheapco', FEES)
    expect(whole).toEqual({ providerSubtotal: 75_000, fee: 4425, discount: 0, slaAdjustment: 0, total: 79_425 })
    expect(selectLanes(demand(), WORLD, policy(), FEES).candidates[0]!.price).toEqual(whole)
    const split = selectLanes(demand(), [state(CHEAP, { capacityLeft: 50 }), state(MID)], policy(), FEES).candidates
    expect(split.map((c) => [c.offeringId, c.allocationPercent])).toEqual([['cheapco-m', 50], ['midco-m', 50]])
    expect(split[0]!.price.total).toBeGreaterThanOrEqual(Math.floor(whole.total / 2))
    expect(split[0]!.price.total).toBeLessThanOrEqual(Math.ceil(whole.total / 2) + 2)
  })

  it('applies a provider discount to that provider only', () => {
    const fees: FeeSchedule = { batchFeeBps: 590, discounts: [{ provider: 'midco', bps: 5000 }], slaMultiplierBps: 10_000 }
    const { candidates } = selectLanes(demand(), [state(CHEAP), state(MID)], policy(), fees)
    // midco halves to 0.075 subtotal with the discount; equal totals break on turnaround (midco 30 min < 6 h).
    expect(candidates.find((c) => c.offeringId === 'midco-m')!.price.discount).toBe(75_000)
    expect(candidates.find((c) => c.offeringId === 'cheapco-m')!.price.discount).toBe(0)
  })

  it('only considers offerings of the demanded model', () => {
    const other = state(offering('cheapco-other', { model: 'other', input_per_1m: '0.01', output_per_1m: '0.01' }))
    const { candidates } = selectLanes(demand(), [other, state(MID)], policy(), FEES)
    expect(candidates.map((c) => c.offeringId)).toEqual(['midco-m'])
  })
})

describe('planRouting', () => {
  it('lets groups share an offering\'s capacity: a later group only gets what the earlier ones left', () => {
    const responses = demand({ itemCount: 10 })
    const vision = demand({ itemCount: 10, operation: 'vision' })
    const plan = planRouting([responses, vision], [state(CHEAP, { capacityLeft: 15 })], policy(), FEES)
    expect(plan.groups.map((g) => [g.key, g.routable, g.selection.candidates[0]!.itemCount, g.selection.unallocated])).toEqual([
      ['m|responses', true, 10, 0],
      ['m|vision', false, 5, 5],
    ])
  })

  it('sums only the selected allocations into the total', () => {
    const tight = planRouting([demand({ itemCount: 100 })], [state(CHEAP, { capacityLeft: 40 }), state(MID, { capacityLeft: 0 })], policy(), FEES)
    expect(tight.groups[0]!.routable).toBe(false)
    expect(tight.total.total).toBe(tight.groups[0]!.selection.candidates[0]!.price.total)
    const two = planRouting([demand({ itemCount: 10 }), demand({ itemCount: 10, operation: 'vision' })], [state(CHEAP)], policy(), FEES)
    expect(two.total.total).toBe(two.groups.reduce((a, g) => a + g.selection.candidates[0]!.price.total, 0))
  })
})

// ---- invariants over random worlds -------------------------------------------------------------

const arbOffering = (i: number) =>
  fc.record({
    edge: fc.boolean(),
    tiers: fc.subarray(['standard', 'confidential', 'restricted'] as const, { minLength: 1 }),
    zdr: fc.boolean(),
    region: fc.constantFrom('us', 'eu', 'local'),
    tools: fc.boolean(),
    turnaround: fc.integer({ min: 60, max: 12 * HOUR }),
    input: fc.integer({ min: 0, max: 5_000_000 }),
    output: fc.integer({ min: 0, max: 5_000_000 }),
    capacityLeft: fc.integer({ min: 0, max: 300 }),
    available: fc.boolean(),
  }).map((r): OfferingState => ({
    offering: offering(`${r.edge ? 'edge' : `p${i}`}-${i}`, {
      provider: r.edge ? 'edge' : `p${i}`, lane_kind: r.edge ? 'edge' : 'public', privacy_tiers: [...r.tiers], retention: { zdr: r.zdr, days: r.zdr ? 0 : 30 },
      regions: [r.region], supports_tools: r.tools, turnaround_seconds: r.turnaround,
    }),
    available: r.available,
    capacityLeft: r.capacityLeft,
    rates: { input: r.input, output: r.output },
  }))

const arbWorld = fc.integer({ min: 0, max: 7 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => arbOffering(i))))

const arbPolicy = fc.record({
  routingMode: fc.constantFrom('cheapest', 'sla_aware', 'public_only', 'edge_only', 'hybrid', 'privacy_constrained' as const),
  privacyTier: fc.constantFrom('standard', 'confidential', 'restricted' as const),
  slaSeconds: fc.constantFrom(HOUR, 24 * HOUR, 48 * HOUR),
  allowedRegions: fc.option(fc.subarray(['us', 'eu', 'local']), { nil: undefined }),
  allowFallbacks: fc.boolean(),
  maxPriceMicros: fc.option(fc.integer({ min: 0, max: 2_000_000 }), { nil: undefined }),
}) as fc.Arbitrary<RoutingPolicy>

const arbDemand = fc.record({
  itemCount: fc.integer({ min: 1, max: 600 }),
  inputTokens: fc.integer({ min: 0, max: 2_000_000 }),
  outputTokens: fc.integer({ min: 0, max: 500_000 }),
  maxItemTokens: fc.integer({ min: 1, max: 120_000 }),
  needsTools: fc.boolean(),
}).map((d) => demand(d))

describe('selectLanes invariants (fast-check, seeded)', () => {
  it('allocates exactly itemCount − unallocated, within capacity, only to eligible lanes, never leaking restricted work', () => {
    fc.assert(
      fc.property(arbDemand, arbWorld, arbPolicy, (d, world, p) => {
        const { candidates, unallocated } = selectLanes(d, world, p, FEES)
        const byId = new Map(world.map((s) => [s.offering.offering_id, s]))
        const chosen = candidates.filter((c) => c.selected)
        expect(chosen.reduce((a, c) => a + c.itemCount, 0)).toBe(d.itemCount - unallocated)
        expect(unallocated).toBeGreaterThanOrEqual(0)
        for (const c of candidates) {
          const s = byId.get(c.offeringId)!
          expect(c.itemCount).toBeLessThanOrEqual(s.capacityLeft)
          expect(c.itemCount).toBeGreaterThanOrEqual(0)
          if (c.rejectionCode !== null) {
            expect(REJECTION_CODES).toContain(c.rejectionCode)
            expect(c.selected).toBe(false)
          }
        }
        for (const c of chosen) {
          const o = byId.get(c.offeringId)!.offering
          expect(c.rejectionCode).toBeNull()
          expect(c.itemCount).toBeGreaterThan(0)
          if (p.privacyTier === 'restricted') expect([o.lane_kind, o.privacy_tiers.includes('restricted')]).toEqual(['edge', true])
          if (p.privacyTier === 'confidential') expect(o.lane_kind === 'edge' || o.retention.zdr).toBe(true)
          if (p.routingMode === 'public_only') expect(o.lane_kind).toBe('public')
          if (p.routingMode === 'edge_only') expect(o.lane_kind).toBe('edge')
        }
        // Greedy: something is left over only when every eligible lane is full.
        if (unallocated > 0) for (const c of candidates.filter((x) => x.rejectionCode === null)) expect(c.itemCount).toBe(byId.get(c.offeringId)!.capacityLeft)
        if (unallocated === 0) expect(Math.abs(chosen.reduce((a, c) => a + c.allocationPercent, 0) - 100)).toBeLessThan(0.05 * Math.max(1, chosen.length))
      }),
      { numRuns: 1000, seed: 20260821 },
    )
  })

  it('planRouting never allocates more of an offering than its capacity across all groups', () => {
    fc.assert(
      fc.property(fc.array(arbDemand, { minLength: 1, maxLength: 3 }), fc.array(fc.constantFrom('responses', 'vision' as const), { minLength: 3, maxLength: 3 }), arbWorld, arbPolicy, (demands, ops, world, p) => {
        const plan = planRouting(demands.map((d, i) => ({ ...d, operation: ops[i]! })), world, p, FEES)
        const used = new Map<string, number>()
        for (const g of plan.groups) for (const c of g.selection.candidates) used.set(c.offeringId, (used.get(c.offeringId) ?? 0) + c.itemCount)
        for (const s of world) expect(used.get(s.offering.offering_id) ?? 0).toBeLessThanOrEqual(s.capacityLeft)
        for (const g of plan.groups) expect(g.routable).toBe(g.selection.unallocated === 0 && g.selection.candidates.some((c) => c.selected))
      }),
      { numRuns: 500, seed: 20260822 },
    )
  })
})
