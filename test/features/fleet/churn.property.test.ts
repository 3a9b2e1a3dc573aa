/**
 * Node churn under routing (fast-check, seeded): random sequences of edge nodes joining (standard
 * or restricted, random regions, models and concurrency), going offline and coming back, draining,
 * reporting their upstream degraded or down, and being revoked. After every step the effective
 * catalog is rebuilt the way the router builds it (withEdgeLanes) and restricted demands are
 * planned on it (planRouting, with what runs now and what a waiting batch would get). Invariant:
 * 0 restricted items on any lane a non-restricted node can lease (nodeOfferingIds is what a
 * node's lease claims), and restricted work only on edge lanes of restricted nodes.
 */
import { afterAll, describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import type { Catalog } from '../../../src/catalog-schema'
import { planRouting } from '../../../src/features/routing/plan'
import { nodeOfferingIds, withEdgeLanes, type EdgeNode } from '../../../src/features/fleet/lanes'
import type { NodeRow } from '../../../src/features/fleet/table'
import { arbDemand, arbPolicy } from '../routing/arbitraries'
import { CHAT, CHAT_LITE, EDGE_R, FEES, LITE, RETAIN, ZDR_EU, state } from '../routing/world'

const SEED = Number(process.env.BR_PROPERTY_SEED ?? 20261202)
const RUNS = Number(process.env.BR_FLEET_CHURN_RUNS ?? 10_000)
const REGIONS = ['r1', 'r2', 'r3']
const BASE: Catalog = {
  models: [CHAT, CHAT_LITE],
  providers: [
    { id: 'retain', display_name: 'r', kind: 'openai-compatible', base_url: 'http://x' },
    { id: 'zdrco', display_name: 'z', kind: 'openai-compatible', base_url: 'http://x' },
    { id: 'lite', display_name: 'l', kind: 'openai-compatible', base_url: 'http://x' },
    { id: 'edge', display_name: 'e', kind: 'edge' },
  ],
  // A static edge offering enrolled restricted (unconfigured: it waits) and public ones.
  offerings: [RETAIN, ZDR_EU, LITE, EDGE_R],
  pricingUpdatedAt: '2026-01-01',
}

type Event =
  | { kind: 'join'; tier: 'standard' | 'restricted'; regions: string[]; models: string[]; concurrency: number }
  | { kind: 'offline' | 'online' | 'revoke' | 'drain'; index: number }
  | { kind: 'health'; index: number; upstream: 'ok' | 'degraded' | 'down' }

const arbEvent: fc.Arbitrary<Event> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('join' as const), tier: fc.constantFrom('standard' as const, 'restricted' as const), regions: fc.subarray(REGIONS, { minLength: 1 }), models: fc.subarray(['chat', 'chat-lite', 'node-only'], { minLength: 1 }), concurrency: fc.integer({ min: 1, max: 8 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('offline' as const, 'online' as const, 'revoke' as const, 'drain' as const), index: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('health' as const), index: fc.nat(20), upstream: fc.constantFrom('ok' as const, 'degraded' as const, 'down' as const) }) },
)

function apply(nodes: EdgeNode[], e: Event): void {
  if (e.kind === 'join') {
    nodes.push({ status: 'online', upstreamHealth: 'ok', trustTier: e.tier, regions: e.regions, concurrentItems: e.concurrency, offerings: e.models.map((model) => ({ model, operations: ['responses'] })) })
    return
  }
  const node = nodes[e.index % Math.max(1, nodes.length)]
  if (!node || node.status === 'revoked') return
  if (e.kind === 'health') node.upstreamHealth = e.upstream
  else if (e.kind === 'online') node.status = 'online'
  else node.status = e.kind === 'offline' ? 'offline' : e.kind === 'drain' ? 'draining' : 'revoked'
}

let steps = 0
let restrictedItemsPlaced = 0
let onFleetLanes = 0

afterAll(() => console.log(`fleet churn: ${RUNS} cases (seed ${SEED}), ${steps} churn steps planned, ${restrictedItemsPlaced} restricted items placed (${onFleetLanes} on fleet lanes), 0 on a lane a non-restricted node leases`))

describe('node churn under routing (fast-check, seeded)', () => {
  it(`never places restricted work where a non-restricted node can lease it (${RUNS} cases)`, () => {
    const world = fc.record({ events: fc.array(arbEvent, { minLength: 1, maxLength: 10 }), demands: fc.array(arbDemand([CHAT, CHAT_LITE]), { minLength: 1, maxLength: 3 }), policy: arbPolicy })
    fc.assert(
      fc.property(world, ({ events, demands, policy }) => {
        const nodes: EdgeNode[] = []
        const restricted = { ...policy, privacyTier: 'restricted' as const }
        for (const e of events) {
          apply(nodes, e)
          const catalog = withEdgeLanes(BASE, nodes, { itemsPerSlot: 50 })
          const states = catalog.offerings.map((o) => state(o, { available: !(o.provider === 'edge' && !o.offering_id.startsWith('edge:')) }))
          const byId = new Map(catalog.offerings.map((o) => [o.offering_id, o]))
          const plan = planRouting(demands, states, restricted, FEES)
          steps++
          // Every node that is not restricted, whatever its status now (it may come back online).
          const forbidden = new Set(nodes.filter((n) => n.trustTier !== 'restricted').flatMap((n) => nodeOfferingIds(catalog, n as Pick<NodeRow, 'offerings' | 'regions' | 'trustTier'>)))
          for (const g of plan.groups) {
            for (const selection of [g.selection, g.ifAvailable]) {
              for (const c of selection?.candidates.filter((x) => x.itemCount > 0) ?? []) {
                const o = byId.get(c.offeringId)!
                expect(forbidden.has(c.offeringId)).toBe(false)
                expect(o.lane_kind).toBe('edge')
                expect(o.privacy_tiers).toContain('restricted')
                if (c.offeringId.startsWith('edge:')) {
                  expect(c.offeringId.split(':')[2]).toBe('restricted')
                  onFleetLanes += c.itemCount
                }
                restrictedItemsPlaced += c.itemCount
              }
            }
          }
        }
      }),
      { numRuns: RUNS, seed: SEED },
    )
    expect(onFleetLanes).toBeGreaterThan(0)
  }, 120_000)
})
