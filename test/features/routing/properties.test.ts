/**
 * Invariants of lane selection over thousands of random catalogs, demands and policies
 * (fast-check, seeded). Figures: every property runs RUNS cases from SEED (override with
 * BR_PROPERTY_RUNS / BR_PROPERTY_SEED); the totals are printed once at the end.
 *
 * - restricted work only ever lands on edge lanes enrolled as restricted;
 * - confidential work never lands on an offering that retains data;
 * - under `cheapest`, ranks follow price and no selected lane costs more than an eligible lane
 *   that still had room;
 * - allocations plus what is left unallocated sum to the demand, within each lane's capacity;
 * - the function is deterministic, also when the offerings come in another order;
 * - a lane refused only for a transient reason passes every policy filter once that reason clears;
 * - priority ranks by expected turnaround, then price; flex (48 h) reaches every lane standard
 *   (24 h) does plus those expected to take over 24 h and at most 48 h;
 * - a batch that may wait never waits for (or is priced at) a public provider that is not configured.
 */
import { afterAll, describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { selectLanes } from '../../../src/features/routing/select-lanes'
import { planRouting } from '../../../src/features/routing/plan'
import { priceTokens } from '../../../src/features/catalog/pricing'
import { isTransientRejection } from '../../../src/features/routing/vocabulary'
import { expectedTurnaroundSeconds } from '../../../src/features/routing/observed'
import { FEES, HOUR } from './world'
import { arbWorld, shuffled } from './arbitraries'

const SEED = Number(process.env.BR_PROPERTY_SEED ?? 20260821)
const RUNS = Number(process.env.BR_PROPERTY_RUNS ?? 3000)
/** Per-test time limit, generous enough for larger BR_PROPERTY_RUNS. */
const TIMEOUT = Math.max(30_000, RUNS * 10)
const figures: { property: string; runs: number; seed: number; exercised: number }[] = []

/**
 * Runs `predicate` over RUNS cases from SEED + seedOffset. The predicate returns how many
 * non-trivial checks the case made (e.g. selected lanes inspected), so the figures show how much
 * of the random space actually reached the invariant.
 */
function check<T>(name: string, arb: fc.Arbitrary<T>, predicate: (value: T) => number, seedOffset: number): void {
  const seed = SEED + seedOffset
  let exercised = 0
  fc.assert(fc.property(arb, (v) => void (exercised += predicate(v) > 0 ? 1 : 0)), { numRuns: RUNS, seed })
  figures.push({ property: name, runs: RUNS, seed, exercised })
  expect(exercised).toBeGreaterThan(RUNS / 20)
}

afterAll(() => {
  const total = figures.reduce((a, f) => a + f.runs, 0)
  console.log(`routing properties: ${figures.length} properties, ${total} cases (${RUNS} each)`)
  for (const f of figures) console.log(`  ${f.property}: ${f.runs} cases, seed ${f.seed}, ${f.exercised} with something to check`)
})

// ---- properties --------------------------------------------------------------------------------

describe('lane selection properties (fast-check, seeded)', () => {
  it(`never assigns restricted work to a public lane or an edge node not enrolled as restricted (${RUNS} cases)`, () => {
    check('restricted stays on restricted edge lanes', arbWorld.map((w) => ({ ...w, policy: { ...w.policy, privacyTier: 'restricted' as const } })), ({ states, demands, policy }) => {
      const byId = new Map(states.map((s) => [s.offering.offering_id, s.offering]))
      const plan = planRouting(demands, states, policy, FEES)
      let seen = 0
      for (const g of plan.groups) {
        // Both what runs now and what a waiting batch would get once lanes are available.
        for (const selection of [g.selection, g.ifAvailable]) {
          for (const c of selection?.candidates.filter((x) => x.selected) ?? []) {
            const o = byId.get(c.offeringId)!
            expect(o.lane_kind).toBe('edge')
            expect(o.privacy_tiers).toContain('restricted')
            seen++
          }
        }
      }
      return seen
    }, 1)
  }, TIMEOUT)

  it(`never assigns confidential work to an offering that retains data (${RUNS} cases)`, () => {
    check('confidential never on a retaining offering', arbWorld.map((w) => ({ ...w, policy: { ...w.policy, privacyTier: 'confidential' as const } })), ({ states, demands, policy }) => {
      const byId = new Map(states.map((s) => [s.offering.offering_id, s.offering]))
      const plan = planRouting(demands, states, policy, FEES)
      let seen = 0
      for (const g of plan.groups) {
        for (const selection of [g.selection, g.ifAvailable]) {
          for (const c of selection?.candidates.filter((x) => x.selected) ?? []) {
            expect(byId.get(c.offeringId)!.retention.zdr).toBe(true)
            seen++
          }
        }
      }
      return seen
    }, 2)
  }, TIMEOUT)

  it(`under cheapest, never selects a lane dearer than an eligible lane that still had room (${RUNS} cases)`, () => {
    const cheapest = arbWorld.map((w) => {
      const { order: _order, ...rest } = w.policy
      return { ...w, policy: { ...rest, routingMode: 'cheapest' as const, slaTier: 'standard' as const } }
    })
    check('cheapest is never beaten by an eligible alternative', cheapest, ({ states, demands, policy }) => {
      let compared = 0
      for (const d of demands) {
        const { candidates } = selectLanes(d, states, policy, FEES)
        const byId = new Map(states.map((s) => [s.offering.offering_id, s]))
        const whole = (id: string) => {
          const s = byId.get(id)!
          return priceTokens(d.inputTokens, d.outputTokens, s.rates, s.offering.provider, FEES).total
        }
        // Ranks follow price: each ranked lane costs no more than the next one.
        const ranked = candidates.filter((c) => c.rank !== null)
        for (let i = 1; i < ranked.length; i++) {
          expect(whole(ranked[i - 1]!.offeringId)).toBeLessThanOrEqual(whole(ranked[i]!.offeringId))
          compared++
        }
        const withRoom = candidates.filter((c) => c.rejectionCode === null && c.itemCount < c.capacityLeft)
        for (const s of candidates.filter((c) => c.selected)) {
          for (const e of withRoom) {
            expect(whole(s.offeringId)).toBeLessThanOrEqual(whole(e.offeringId))
            if (e.offeringId !== s.offeringId) compared++
          }
        }
      }
      return compared
    }, 3)
  }, TIMEOUT)

  it(`allocates exactly the demand (placed + unallocated), within every lane's capacity across groups (${RUNS} cases)`, () => {
    check('allocations sum to the demand', arbWorld, ({ states, demands, policy }) => {
      const plan = planRouting(demands, states, policy, FEES)
      const used = new Map<string, number>()
      plan.groups.forEach((g, i) => {
        const chosen = g.selection.candidates.filter((c) => c.selected)
        expect(chosen.reduce((a, c) => a + c.itemCount, 0) + g.selection.unallocated).toBe(demands[i]!.itemCount)
        if (g.routable) expect(Math.abs(chosen.reduce((a, c) => a + c.allocationPercent, 0) - 100)).toBeLessThanOrEqual(0.01 * chosen.length)
        for (const c of g.selection.candidates) {
          expect(c.selected).toBe(c.itemCount > 0)
          if (c.rejectionCode !== null) expect(c.itemCount).toBe(0)
          used.set(c.offeringId, (used.get(c.offeringId) ?? 0) + c.itemCount)
        }
      })
      for (const s of states) expect(used.get(s.offering.offering_id) ?? 0).toBeLessThanOrEqual(s.capacityLeft)
      return [...used.values()].some((n) => n > 0) ? 1 : 0
    }, 4)
  }, TIMEOUT)

  it(`is deterministic, also when the offerings arrive in another order (${RUNS} cases)`, () => {
    check('deterministic and order-independent', arbWorld, ({ states, demands, policy, shuffleSeed }) => {
      for (const d of demands) {
        const first = selectLanes(d, states, policy, FEES)
        expect(selectLanes(d, states, policy, FEES)).toEqual(first)
        expect(selectLanes(d, shuffled(states, shuffleSeed), policy, FEES)).toEqual(first)
      }
      const plan = planRouting(demands, states, policy, FEES)
      expect(planRouting(demands, shuffled(states, shuffleSeed), policy, FEES)).toEqual(plan)
      return plan.groups.some((g) => g.selection.candidates.some((c) => c.rank !== null)) ? 1 : 0
    }, 5)
  }, TIMEOUT)

  it(`refuses a lane for a transient reason only when it passes every policy filter (${RUNS} cases)`, () => {
    check('transient rejections hide no policy rejection', arbWorld, ({ states, demands, policy }) => {
      let cleared = 0
      for (const d of demands) {
        const { candidates } = selectLanes(d, states, policy, FEES)
        for (const c of candidates.filter((x) => isTransientRejection(x.rejectionCode))) {
          const better = states.map((s) => (s.offering.offering_id === c.offeringId ? { ...s, available: true, circuit: 'closed' as const, capacityLeft: Math.max(1, s.capacityLeft) } : s))
          expect(selectLanes(d, better, policy, FEES).candidates.find((x) => x.offeringId === c.offeringId)!.rejectionCode).toBeNull()
          cleared++
        }
      }
      return cleared
    }, 6)
  }, TIMEOUT)

  it(`under priority, ranks follow expected turnaround first, then price (${RUNS} cases)`, () => {
    const priority = arbWorld.map((w) => {
      const { order: _order, ...rest } = w.policy
      const mode = rest.routingMode === 'hybrid' || rest.routingMode === 'sla_aware' ? ('cheapest' as const) : rest.routingMode
      return { ...w, policy: { ...rest, routingMode: mode, slaTier: 'priority' as const } }
    })
    check('priority ranks fastest first', priority, ({ states, demands, policy }) => {
      let compared = 0
      const byId = new Map(states.map((s) => [s.offering.offering_id, s]))
      for (const d of demands) {
        const ranked = selectLanes(d, states, policy, FEES).candidates.filter((c) => c.rank !== null)
        const total = (id: string) => {
          const s = byId.get(id)!
          return priceTokens(d.inputTokens, d.outputTokens, s.rates, s.offering.provider, FEES).total
        }
        for (let i = 1; i < ranked.length; i++) {
          const [a, b] = [ranked[i - 1]!, ranked[i]!]
          expect(a.estimatedCompletionSeconds).toBe(expectedTurnaroundSeconds(byId.get(a.offeringId)!))
          expect(a.estimatedCompletionSeconds).toBeLessThanOrEqual(b.estimatedCompletionSeconds)
          if (a.estimatedCompletionSeconds === b.estimatedCompletionSeconds) expect(total(a.offeringId)).toBeLessThanOrEqual(total(b.offeringId))
          compared++
        }
      }
      return compared
    }, 7)
  }, TIMEOUT)

  it(`flex reaches every lane standard does, plus those expected to take over 24 h and at most 48 h (${RUNS} cases)`, () => {
    const tiers = arbWorld.map((w) => ({ ...w, policy: { ...w.policy, routingMode: w.policy.routingMode === 'sla_aware' ? ('cheapest' as const) : w.policy.routingMode } }))
    check('flex reaches the 24–48 h lanes', tiers, ({ states, demands, policy }) => {
      let slowLanes = 0
      const byId = new Map(states.map((s) => [s.offering.offering_id, s]))
      for (const d of demands) {
        const standard = selectLanes(d, states, { ...policy, slaTier: 'standard', slaSeconds: 24 * HOUR }, FEES).candidates
        const flex = selectLanes(d, states, { ...policy, slaTier: 'flex', slaSeconds: 48 * HOUR }, FEES).candidates
        const flexCode = new Map(flex.map((c) => [c.offeringId, c.rejectionCode]))
        for (const c of standard) {
          const expected = expectedTurnaroundSeconds(byId.get(c.offeringId)!)
          if (c.rejectionCode === null) expect(flexCode.get(c.offeringId)).toBeNull()
          if (expected > 24 * HOUR) expect(c.rejectionCode).not.toBeNull()
          if (expected > 24 * HOUR && expected <= 48 * HOUR) {
            expect(flexCode.get(c.offeringId)).not.toBe('sla_unachievable')
            // Refused for standard by the deadline: under flex it passes that filter and every one
            // before it, so at most a later filter (max_price, availability, capacity) refuses it.
            if (c.rejectionCode === 'sla_unachievable') {
              expect([null, 'price_above_max', 'provider_unavailable', 'capacity_full']).toContain(flexCode.get(c.offeringId)!)
              if (flexCode.get(c.offeringId) === null) slowLanes++
            }
          }
          if (expected > 48 * HOUR) expect(flexCode.get(c.offeringId)).not.toBeNull()
        }
      }
      return slowLanes
    }, 8)
  }, TIMEOUT)

  it(`never lets a batch wait for, or be priced at, a public provider that is not configured (${RUNS} cases)`, () => {
    check('waiting only for what can clear', arbWorld, ({ states, demands, policy }) => {
      const byId = new Map(states.map((s) => [s.offering.offering_id, s]))
      const plan = planRouting(demands, states, policy, FEES)
      let waiting = 0
      for (const g of plan.groups.filter((x) => x.waitable)) {
        for (const c of g.ifAvailable!.candidates.filter((x) => x.selected)) {
          const s = byId.get(c.offeringId)!
          expect(s.available || s.offering.lane_kind === 'edge').toBe(true)
        }
        waiting++
      }
      // A group whose every candidate is an unconfigured public lane never waits.
      for (const g of plan.groups) {
        const candidates = g.selection.candidates.map((c) => byId.get(c.offeringId)!)
        if (candidates.length > 0 && candidates.every((s) => !s.available && s.offering.lane_kind === 'public')) {
          expect(g.waitable).toBe(false)
          waiting++
        }
      }
      return waiting
    }, 9)
  }, TIMEOUT)
})
