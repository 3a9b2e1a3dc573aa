/**
 * selectLanes as one table: at least one row per rejection code, per routing mode, per privacy
 * tier and per SLA tier (deadlines from the configured tiers), plus `models` lists, observed
 * statistics and fallback ladders. Each row names the lanes it expects selected (with their item
 * counts, in rank order) and the rejection codes it expects on named lanes.
 */
import { describe, expect, it } from 'bun:test'
import { validateConfig } from '../../../src/config'
import { selectLanes } from '../../../src/features/routing/select-lanes'
import { slaSecondsFor } from '../../../src/features/routing/policy'
import { REJECTION_CODES, ROUTING_MODES, PRIVACY_TIERS, SLA_TIERS, type RejectionCode } from '../../../src/features/routing/vocabulary'
import type { LaneDemand, OfferingState, RoutingPolicy } from '../../../src/features/routing/types'
import { CHAT, CHAT_LITE, EDGE_P, EDGE_R, FEES, HOUR, LITE, RETAIN, SLOW, WORLD, ZDR_EU, ZDR_MULTI, demand, policy, rejectionsOf, selectedOf, state, worldWith } from './world'

const config = validateConfig({ dataDir: '/tmp/unused' })
const sla = (tier: 'standard' | 'flex' | 'priority') => slaSecondsFor(config, tier)
/** A whole tier as a batch of that tier carries it: its deadline and its ranking. */
const tier = (t: 'standard' | 'flex' | 'priority'): Partial<RoutingPolicy> => ({ slaSeconds: sla(t), slaTier: t })

interface Row {
  /** What the row covers: `code:<rejection>`, `mode:<routing mode>`, `privacy:<tier>`, `sla:<tier>` or `extra`. */
  covers: string[]
  name: string
  demand?: Partial<LaneDemand>
  policy?: Partial<RoutingPolicy>
  states?: OfferingState[]
  selected: [string, number][]
  rejected?: Record<string, RejectionCode>
  unallocated?: number
  /** A phrase the first selected lane's reason must contain. */
  because?: string
}

const ROWS: Row[] = [
  // ---- one row per rejection code ----
  { covers: ['code:capacity_full'], name: 'a full lane is capacity_full; the next cheapest takes the group', states: worldWith(state(RETAIN, { capacityLeft: 0, heldItems: 10_000 })), selected: [['edge2-plain', 100]], rejected: { 'retain-us': 'capacity_full' } },
  { covers: ['code:context_window_exceeded'], name: 'an item larger than the context window is rejected on every lane', demand: { maxItemTokens: 150_000 }, selected: [], rejected: { 'retain-us': 'context_window_exceeded', 'edge2-plain': 'context_window_exceeded', 'bulk-slow': 'context_window_exceeded' }, unallocated: 100 },
  { covers: ['code:privacy_tier_mismatch'], name: 'confidential work skips a retaining public lane', policy: { privacyTier: 'confidential' }, selected: [['edge2-plain', 100]], rejected: { 'retain-us': 'privacy_tier_mismatch', 'bulk-slow': 'privacy_tier_mismatch' } },
  { covers: ['code:tool_support'], name: 'items with function tools skip lanes that take none', demand: { needsTools: true }, selected: [['retain-us', 100]], rejected: { 'edge2-plain': 'tool_support', 'edge-restricted': 'tool_support', 'multico-useu': 'tool_support' } },
  { covers: ['code:operation_unsupported'], name: 'an operation the model does not do is operation_unsupported', demand: { operation: 'embeddings' }, selected: [], rejected: { 'retain-us': 'operation_unsupported', 'edge2-plain': 'operation_unsupported' }, unallocated: 100 },
  { covers: ['code:region_not_allowed'], name: 'allowed_regions eu: any overlap qualifies (us+eu stays eligible)', policy: { allowedRegions: ['eu'] }, selected: [['zdrco-eu', 100]], rejected: { 'retain-us': 'region_not_allowed', 'edge2-plain': 'region_not_allowed' } },
  { covers: ['code:routing_mode_excluded'], name: 'public_only rejects edge lanes as routing_mode_excluded', policy: { routingMode: 'public_only' }, selected: [['retain-us', 100]], rejected: { 'edge2-plain': 'routing_mode_excluded', 'edge-restricted': 'routing_mode_excluded' } },
  { covers: ['code:sla_unachievable'], name: 'a 30 h lane cannot meet a 24 h deadline', selected: [['retain-us', 100]], rejected: { 'bulk-slow': 'sla_unachievable' } },
  { covers: ['code:provider_unavailable'], name: 'an unconfigured provider is provider_unavailable', states: worldWith(state(RETAIN, { available: false })), selected: [['edge2-plain', 100]], rejected: { 'retain-us': 'provider_unavailable' } },
  { covers: ['code:provider_unavailable'], name: 'an open circuit is provider_unavailable', states: worldWith(state(RETAIN, { circuit: 'open' })), selected: [['edge2-plain', 100]], rejected: { 'retain-us': 'provider_unavailable' } },
  { covers: ['code:provider_excluded'], name: 'provider_preferences.only excludes every other provider', policy: { only: ['zdrco'] }, selected: [['zdrco-eu', 100]], rejected: { 'retain-us': 'provider_excluded', 'edge2-plain': 'provider_excluded' } },
  { covers: ['code:provider_excluded'], name: 'provider_preferences.zdr excludes retaining providers', policy: { zdr: true }, selected: [['edge2-plain', 100]], rejected: { 'retain-us': 'provider_excluded', 'bulk-slow': 'provider_excluded' } },
  { covers: ['code:provider_excluded'], name: 'allow_fallbacks false keeps to the providers in order', policy: { order: ['multico'], allowFallbacks: false }, selected: [['multico-useu', 100]], rejected: { 'retain-us': 'provider_excluded', 'zdrco-eu': 'provider_excluded' } },
  { covers: ['code:price_above_max'], name: 'lanes costing more than max_price are price_above_max', policy: { maxPriceMicros: 70_000 }, selected: [['retain-us', 100]], rejected: { 'edge2-plain': 'price_above_max', 'zdrco-eu': 'price_above_max' } },

  // ---- one row per routing mode ----
  { covers: ['mode:cheapest'], name: 'cheapest takes the lowest total among eligible lanes', selected: [['retain-us', 100]], because: 'the cheapest eligible lane' },
  {
    covers: ['mode:sla_aware'], name: 'sla_aware ranks by cost × (1 + failure + expiry): a cheap lane that fails half the time loses',
    policy: { routingMode: 'sla_aware', slaSeconds: 4 * HOUR },
    states: worldWith(state(RETAIN, { observed: { lanes: 10, turnaroundSeconds: null, failureRate: 0.4, expiryRate: 0.1 } })),
    selected: [['edge2-plain', 100]], rejected: { 'bulk-slow': 'sla_unachievable' }, because: 'adjusted for observed failure and expiry',
  },
  { covers: ['mode:sla_aware', 'code:sla_unachievable'], name: 'sla_aware needs completion within half the time left (2 h lane, 3 h left)', policy: { routingMode: 'sla_aware', slaSeconds: 3 * HOUR }, selected: [['edge2-plain', 100]], rejected: { 'retain-us': 'sla_unachievable' } },
  { covers: ['mode:public_only'], name: 'public_only never uses an edge lane, however cheap', policy: { routingMode: 'public_only' }, states: worldWith(state(EDGE_P, { rates: { input: 1, output: 1 } })), selected: [['retain-us', 100]], rejected: { 'edge2-plain': 'routing_mode_excluded' } },
  { covers: ['mode:edge_only'], name: 'edge_only uses only edge lanes', policy: { routingMode: 'edge_only' }, selected: [['edge2-plain', 100]], rejected: { 'retain-us': 'routing_mode_excluded', 'zdrco-eu': 'routing_mode_excluded' } },
  {
    covers: ['mode:hybrid'], name: 'hybrid fills edge lanes up to capacity first, then overflows to the cheapest public lane',
    policy: { routingMode: 'hybrid' }, states: worldWith(state(EDGE_P, { capacityLeft: 30 })),
    selected: [['edge2-plain', 30], ['edge-restricted', 50], ['retain-us', 20]], because: 'hybrid fills edge lanes first',
  },
  { covers: ['mode:privacy_constrained'], name: 'privacy_constrained: zero-retention public lanes and edge lanes only', policy: { routingMode: 'privacy_constrained' }, selected: [['edge2-plain', 100]], rejected: { 'retain-us': 'routing_mode_excluded', 'bulk-slow': 'routing_mode_excluded' } },
  { covers: ['mode:privacy_constrained', 'code:region_not_allowed'], name: 'privacy_constrained is strict on regions: a us+eu lane is out when only eu is allowed', policy: { routingMode: 'privacy_constrained', allowedRegions: ['eu'] }, selected: [['zdrco-eu', 100]], rejected: { 'multico-useu': 'region_not_allowed', 'edge2-plain': 'region_not_allowed', 'retain-us': 'routing_mode_excluded' } },

  // ---- one row per privacy tier ----
  { covers: ['privacy:standard'], name: 'standard may use a retaining public lane', policy: { privacyTier: 'standard' }, selected: [['retain-us', 100]] },
  { covers: ['privacy:confidential'], name: 'confidential: zero-retention public lanes or edge lanes', policy: { privacyTier: 'confidential', routingMode: 'public_only' }, selected: [['zdrco-eu', 100]], rejected: { 'retain-us': 'privacy_tier_mismatch' } },
  {
    covers: ['privacy:restricted'], name: 'restricted: only the edge lane enrolled as restricted, up to its capacity',
    policy: { privacyTier: 'restricted' }, selected: [['edge-restricted', 50]], unallocated: 50,
    rejected: { 'edge2-plain': 'privacy_tier_mismatch', 'retain-us': 'privacy_tier_mismatch', 'zdrco-eu': 'privacy_tier_mismatch', 'multico-useu': 'privacy_tier_mismatch', 'bulk-slow': 'privacy_tier_mismatch' },
  },
  {
    covers: ['privacy:restricted', 'code:provider_unavailable'], name: 'restricted fails closed: with the restricted edge lane down nothing is selected',
    policy: { privacyTier: 'restricted' }, states: worldWith(state(EDGE_R, { available: false })), selected: [], unallocated: 100,
    rejected: { 'edge-restricted': 'provider_unavailable', 'edge2-plain': 'privacy_tier_mismatch', 'retain-us': 'privacy_tier_mismatch' },
  },

  // ---- one row per SLA tier (configured deadlines) ----
  { covers: ['sla:standard'], name: 'standard (24 h): the 30 h lane is out', policy: { slaSeconds: sla('standard') }, selected: [['retain-us', 100]], rejected: { 'bulk-slow': 'sla_unachievable' } },
  { covers: ['sla:flex'], name: 'flex (48 h) may use the slower, cheaper 30 h lane standard cannot', policy: { slaSeconds: sla('flex') }, selected: [['bulk-slow', 100]] },
  { covers: ['sla:priority'], name: 'priority (1 h): 2 h and 30 h lanes are out, a 1 h lane is in', policy: { slaSeconds: sla('priority') }, selected: [['edge2-plain', 100]], rejected: { 'retain-us': 'sla_unachievable', 'bulk-slow': 'sla_unachievable' } },

  // ---- what each tier does beyond its deadline: flex reaches slower lanes, priority takes the fastest ----
  { covers: ['sla:standard'], name: 'standard ranks by price and refuses the 30 h lane', policy: tier('standard'), selected: [['retain-us', 100]], rejected: { 'bulk-slow': 'sla_unachievable' }, because: 'the cheapest eligible lane' },
  { covers: ['sla:flex'], name: 'flex ranks by price and reaches the 30 h lane standard refuses', policy: tier('flex'), selected: [['bulk-slow', 100]], because: 'the cheapest eligible lane' },
  { covers: ['sla:flex'], name: 'flex keeps the 30 h lane as a fallback once it is full', policy: tier('flex'), states: worldWith(state(SLOW, { capacityLeft: 30 })), selected: [['bulk-slow', 30], ['retain-us', 70]] },
  { covers: ['sla:flex'], name: 'a lane expected to take exactly 48 h fits flex', policy: tier('flex'), states: worldWith(state({ ...SLOW, turnaround_seconds: 48 * HOUR })), selected: [['bulk-slow', 100]] },
  { covers: ['sla:flex', 'code:sla_unachievable'], name: 'a lane expected to take longer than 48 h is sla_unachievable even for flex', policy: tier('flex'), states: worldWith(state({ ...SLOW, turnaround_seconds: 48 * HOUR + 1 })), selected: [['retain-us', 100]], rejected: { 'bulk-slow': 'sla_unachievable' } },
  { covers: ['sla:standard'], name: 'a lane expected to take exactly 24 h fits standard; a second more does not', policy: tier('standard'), states: worldWith(state({ ...SLOW, turnaround_seconds: 24 * HOUR })), selected: [['bulk-slow', 100]] },
  { covers: ['sla:standard', 'code:sla_unachievable'], name: 'a lane expected to take 24 h and 1 s is sla_unachievable for standard', policy: tier('standard'), states: worldWith(state({ ...SLOW, turnaround_seconds: 24 * HOUR + 1 })), selected: [['retain-us', 100]], rejected: { 'bulk-slow': 'sla_unachievable' } },
  { covers: ['sla:flex'], name: 'flex reaches a lane whose observed p90 (30 h) is past 24 h', policy: tier('flex'), states: worldWith(state({ ...SLOW, turnaround_seconds: 6 * HOUR }, { observed: { lanes: 5, turnaroundSeconds: 30 * HOUR, failureRate: 0, expiryRate: 0 } })), selected: [['bulk-slow', 100]] },
  { covers: ['sla:priority'], name: 'priority ranks by expected turnaround first: the 30 min lane beats cheaper 1 h lanes', policy: tier('priority'), selected: [['multico-useu', 100]], rejected: { 'retain-us': 'sla_unachievable', 'bulk-slow': 'sla_unachievable' }, because: 'the fastest eligible lane for priority work (expected 30 min' },
  { covers: ['sla:priority'], name: 'priority: among equally fast lanes price decides the overflow', policy: tier('priority'), states: worldWith(state(ZDR_MULTI, { capacityLeft: 40 })), selected: [['multico-useu', 40], ['edge2-plain', 60]] },
  { covers: ['sla:priority'], name: 'priority ranks by the observed p90 once a lane has one', policy: tier('priority'), states: worldWith(state(EDGE_P, { observed: { lanes: 3, turnaroundSeconds: 20 * 60, failureRate: 0, expiryRate: 0 } })), selected: [['edge2-plain', 100]], because: 'expected 20 min, observed over 3 lanes' },
  { covers: ['sla:priority'], name: 'priority with function tools: the fastest lane that takes tools', policy: tier('priority'), demand: { needsTools: true }, selected: [['zdrco-eu', 100]], rejected: { 'multico-useu': 'tool_support' } },
  { covers: ['sla:priority', 'mode:hybrid'], name: 'priority under hybrid: edge lanes first, the overflow to the fastest public lane (not the cheapest)', policy: { ...tier('priority'), routingMode: 'hybrid' }, states: worldWith(state(EDGE_P, { capacityLeft: 30 })), selected: [['edge2-plain', 30], ['edge-restricted', 50], ['multico-useu', 20]] },
  { covers: ['sla:priority'], name: 'priority keeps provider_preferences.order first', policy: { ...tier('priority'), order: ['zdrco'] }, selected: [['zdrco-eu', 100]] },
  { covers: ['sla:priority', 'mode:sla_aware'], name: 'priority under sla_aware: fastest lane within half the hour, risk-adjusted cost among equals', policy: { ...tier('priority'), routingMode: 'sla_aware' }, selected: [['multico-useu', 100]], rejected: { 'edge2-plain': 'sla_unachievable', 'zdrco-eu': 'sla_unachievable' } },

  // ---- models lists, observed statistics ----
  { covers: ['extra'], name: 'a models list chooses the cheapest eligible listed model', demand: { alternatives: [CHAT, CHAT_LITE] }, states: worldWith(state(LITE)), selected: [['lite-pub', 100]], because: 'listed in models' },
  { covers: ['extra'], name: 'a listed model whose context is too small is rejected; the group stays on its own model', demand: { alternatives: [CHAT, CHAT_LITE], maxItemTokens: 20_000 }, states: worldWith(state(LITE)), selected: [['retain-us', 100]], rejected: { 'lite-pub': 'context_window_exceeded' } },
  { covers: ['extra'], name: 'observed turnaround (p90 of 3+ lanes) replaces the catalog figure for the SLA check', policy: { slaSeconds: sla('priority') }, states: worldWith(state(EDGE_P, { observed: { lanes: 3, turnaroundSeconds: 2 * HOUR, failureRate: 0, expiryRate: 0 } })), selected: [['edge-restricted', 50], ['zdrco-eu', 50]], rejected: { 'edge2-plain': 'sla_unachievable' } },
  { covers: ['extra'], name: 'with fewer than 3 finished lanes the catalog turnaround still applies', policy: { slaSeconds: sla('priority') }, states: worldWith(state(EDGE_P, { observed: { lanes: 2, turnaroundSeconds: 2 * HOUR, failureRate: 0, expiryRate: 0 } })), selected: [['edge2-plain', 100]] },
]

describe('selectLanes — modes, tiers and rejection codes', () => {
  for (const row of ROWS) {
    it(`${row.covers.join(' ')}: ${row.name}`, () => {
      const result = selectLanes(demand(row.demand), row.states ?? WORLD, policy(row.policy), FEES)
      expect(selectedOf(result.candidates)).toEqual(row.selected)
      expect(rejectionsOf(result.candidates)).toMatchObject(row.rejected ?? {})
      expect(result.unallocated).toBe(row.unallocated ?? 0)
      for (const c of result.candidates) {
        expect(c.reason).toMatch(/^\S[^\n]*\.$/) // one sentence
        if (c.rejectionCode !== null) expect(c).toMatchObject({ selected: false, rank: null, itemCount: 0 })
        else expect(c.rank).toBeGreaterThan(0)
      }
      if (row.because) expect(result.candidates[0]!.reason).toContain(row.because)
    })
  }

  it('has a row for every rejection code, routing mode, privacy tier and SLA tier', () => {
    const covered = new Set(ROWS.flatMap((r) => r.covers))
    const wanted = [...REJECTION_CODES.map((c) => `code:${c}`), ...ROUTING_MODES.map((m) => `mode:${m}`), ...PRIVACY_TIERS.map((t) => `privacy:${t}`), ...SLA_TIERS.map((t) => `sla:${t}`)]
    expect(wanted.filter((w) => !covered.has(w))).toEqual([])
  })

  it('the configured SLA tiers are 24 h, 48 h and 1 h', () => {
    expect([sla('standard'), sla('flex'), sla('priority')]).toEqual([24 * HOUR, 48 * HOUR, HOUR])
  })
})

describe('selectLanes — allocations, ladders and explanations', () => {
  it('carries a fallback ladder of the other eligible lanes in rank order, empty when fallbacks are off', () => {
    const { candidates } = selectLanes(demand(), WORLD, policy(), FEES)
    expect(candidates.filter((c) => c.rank !== null).map((c) => c.offeringId)).toEqual(['retain-us', 'edge2-plain', 'edge-restricted', 'zdrco-eu', 'multico-useu'])
    expect(candidates[0]!.fallbackOrder).toEqual(['edge2-plain', 'edge-restricted', 'zdrco-eu', 'multico-useu'])
    expect(candidates.filter((c) => !c.selected).every((c) => c.fallbackOrder.length === 0)).toBe(true)
    expect(selectLanes(demand(), WORLD, policy({ allowFallbacks: false }), FEES).candidates[0]!.fallbackOrder).toEqual([])
  })

  it('explains a split: the full lane says it has room for only part, the overflow lane names it', () => {
    const r = selectLanes(demand(), worldWith(state(RETAIN, { capacityLeft: 40 })), policy(), FEES)
    expect(selectedOf(r.candidates)).toEqual([['retain-us', 40], ['edge2-plain', 60]])
    expect(r.candidates[0]!.allocationPercent).toBe(40)
    expect(r.candidates[0]!.reason).toContain('room for only 40 more')
    expect(r.candidates[1]!.reason).toContain('retain-us had no room for')
    expect(r.splitReason).toBe('The 100 chat responses items are split across 2 lanes because retain-us has room for only 40 more.')
  })

  it('says why a group is not fully placed when every eligible lane is full', () => {
    const r = selectLanes(demand({ itemCount: 200 }), [state(RETAIN, { capacityLeft: 40 }), state(EDGE_P, { capacityLeft: 60 })], policy(), FEES)
    expect(r.unallocated).toBe(100)
    expect(r.splitReason).toContain('Only 100 of the 200 chat responses items fit')
  })

  it('prices a selected lane for its share and a fallback for the whole group', () => {
    const r = selectLanes(demand(), worldWith(state(RETAIN, { capacityLeft: 50 })), policy(), FEES)
    const [first, second] = r.candidates
    expect(first!.price.total).toBe(Math.ceil(60_000 / 2) + Math.ceil(3540 / 2))
    expect(second!.price.providerSubtotal).toBe(37_500)
    expect(r.candidates.find((c) => c.offeringId === 'zdrco-eu')!.price.total).toBe(127_080)
  })

  it('reports the expected completion it judged by', () => {
    const r = selectLanes(demand(), worldWith(state(RETAIN, { observed: { lanes: 4, turnaroundSeconds: 600, failureRate: 0, expiryRate: 0 } })), policy(), FEES)
    expect(r.candidates.find((c) => c.offeringId === 'retain-us')!.estimatedCompletionSeconds).toBe(600)
    expect(r.candidates.find((c) => c.offeringId === 'zdrco-eu')!.estimatedCompletionSeconds).toBe(HOUR)
  })

  it('ties break on list order of models, then turnaround, then offering id', () => {
    const twin = state({ ...RETAIN, offering_id: 'retain-us-2', turnaround_seconds: HOUR })
    const r = selectLanes(demand(), [state(RETAIN), twin], policy(), FEES)
    expect(r.candidates.map((c) => c.offeringId)).toEqual(['retain-us-2', 'retain-us'])
    const same = selectLanes(demand(), [state({ ...RETAIN, offering_id: 'b' }), state({ ...RETAIN, offering_id: 'a' })], policy(), FEES)
    expect(same.candidates.map((c) => c.offeringId)).toEqual(['a', 'b'])
  })

  it('under priority, the ladder runs fastest first and each fallback says how much faster the lane ahead is', () => {
    const { candidates } = selectLanes(demand(), WORLD, policy(tier('priority')), FEES)
    expect(candidates.filter((c) => c.rank !== null).map((c) => [c.offeringId, c.estimatedCompletionSeconds])).toEqual([['multico-useu', HOUR / 2], ['edge2-plain', HOUR], ['edge-restricted', HOUR], ['zdrco-eu', HOUR]])
    expect(candidates[0]!.fallbackOrder).toEqual(['edge2-plain', 'edge-restricted', 'zdrco-eu'])
    expect(candidates[1]!.reason).toBe('Eligible and kept as fallback at rank 2; multico-useu ranks ahead (expected 30 min vs 60 min).')
    // Standard ranks the same lanes by price, and a fallback names the cheaper lane ahead.
    const standard = selectLanes(demand(), WORLD, policy(tier('standard')), FEES).candidates
    expect(standard.filter((c) => c.rank !== null).map((c) => c.offeringId)).toEqual(['retain-us', 'edge2-plain', 'edge-restricted', 'zdrco-eu', 'multico-useu'])
    expect(standard.find((c) => c.offeringId === 'multico-useu')!.reason).toMatch(/retain-us ranks ahead \(\d+\.\d{6} USD vs \d+\.\d{6} USD\)\.$/)
  })

  it('never moves work off-list: offerings of unlisted models are not candidates', () => {
    const r = selectLanes(demand(), worldWith(state(LITE)), policy(), FEES)
    expect(r.candidates.map((c) => c.offeringId)).not.toContain('lite-pub')
  })

  it('keeps rejected offerings in id order after the ranked ones', () => {
    const r = selectLanes(demand(), WORLD, policy({ privacyTier: 'restricted' }), FEES)
    expect(r.candidates.map((c) => c.offeringId)).toEqual(['edge-restricted', 'bulk-slow', 'edge2-plain', 'multico-useu', 'retain-us', 'zdrco-eu'])
    expect(SLOW.offering_id).toBe('bulk-slow')
    expect(ZDR_MULTI.offering_id).toBe('multico-useu')
    expect(ZDR_EU.offering_id).toBe('zdrco-eu')
  })
})
