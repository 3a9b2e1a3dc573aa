/**
 * fast-check generators of random routing worlds for the property tests: 1–3 models, 0–12
 * offerings over them with random kind, enrolment, retention, regions, tools, turnaround, rates,
 * capacity, availability, circuit and observed statistics; 1–4 demands (some with `models`
 * alternatives); and a policy over every mode, tier and preference.
 */
import fc from 'fast-check'
import type { CatalogModel, Operation } from '../../../src/features/catalog/models'
import type { LaneDemand, OfferingState, RoutingPolicy } from '../../../src/features/routing/types'
import { HOUR, model, offering } from './world'

const OPS: Operation[] = ['responses', 'vision', 'embeddings']
const PROVIDERS = ['p0', 'p1', 'p2', 'p3', 'edge', 'edge2']
const REGIONS = ['us', 'eu', 'local']

/** `arb` one time in `of`, else undefined: keeps the narrowing options rare enough that lanes get selected. */
const sometimes = <T>(arb: fc.Arbitrary<T>, of = 4): fc.Arbitrary<T | undefined> => fc.oneof({ arbitrary: fc.constant(undefined), weight: of - 1 }, { arbitrary: arb, weight: 1 })
/** True `percent` % of the time. */
const chance = (percent: number) => fc.integer({ min: 0, max: 99 }).map((n) => n < percent)

export const arbModels: fc.Arbitrary<CatalogModel[]> = fc.integer({ min: 1, max: 3 }).chain((n) =>
  fc.tuple(...Array.from({ length: n }, (_, i) =>
    fc.record({ ops: fc.subarray(['vision', 'embeddings'] as Operation[]), ctx: fc.oneof({ arbitrary: fc.integer({ min: 8000, max: 200_000 }), weight: 9 }, { arbitrary: fc.integer({ min: 1000, max: 8000 }), weight: 1 }) })
      .map((r) => model(`m${i}`, { operations: ['responses', ...r.ops], context_window: r.ctx })),
  )),
)

export const arbState = (id: number, models: CatalogModel[]): fc.Arbitrary<OfferingState> =>
  fc.record({
    model: fc.constantFrom(...models.map((m) => m.slug)),
    provider: fc.constantFrom(...PROVIDERS),
    edge: chance(40),
    tiers: fc.subarray(['confidential', 'restricted'] as const),
    standard: chance(90),
    zdr: chance(50),
    regions: fc.subarray(REGIONS, { minLength: 1 }),
    tools: chance(70),
    turnaround: fc.oneof({ arbitrary: fc.integer({ min: 60, max: 12 * HOUR }), weight: 4 }, { arbitrary: fc.integer({ min: 12 * HOUR, max: 60 * HOUR }), weight: 1 }),
    input: fc.integer({ min: 0, max: 5_000_000 }),
    output: fc.integer({ min: 0, max: 5_000_000 }),
    maxItems: fc.integer({ min: 1, max: 400 }),
    room: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 400 }), weight: 5 }, { arbitrary: fc.constant(0), weight: 1 }),
    available: chance(85),
    circuit: fc.oneof({ arbitrary: fc.constant(undefined), weight: 6 }, { arbitrary: fc.constantFrom('closed', 'open', 'half_open' as const), weight: 1 }),
    observed: sometimes(fc.record({ lanes: fc.integer({ min: 0, max: 50 }), turnaroundSeconds: fc.option(fc.integer({ min: 1, max: 60 * HOUR }), { nil: null }), failureRate: fc.double({ min: 0, max: 1, noNaN: true }), expiryRate: fc.double({ min: 0, max: 1, noNaN: true }) }), 2),
  }).map((r): OfferingState => ({
    offering: offering(`o${id}`, {
      model: r.model, provider: r.provider, lane_kind: r.edge ? 'edge' : 'public', privacy_tiers: [...(r.standard || r.tiers.length === 0 ? ['standard' as const] : []), ...r.tiers],
      retention: { zdr: r.zdr, days: r.zdr ? 0 : 30 }, regions: [...r.regions], supports_tools: r.tools, turnaround_seconds: r.turnaround, max_batch_items: r.maxItems,
    }),
    available: r.available,
    ...(r.circuit ? { circuit: r.circuit } : {}),
    capacityLeft: Math.min(r.room, r.maxItems),
    rates: { input: r.input, output: r.output },
    ...(r.observed ? { observed: r.observed } : {}),
  }))

export const arbDemand = (models: CatalogModel[]): fc.Arbitrary<LaneDemand> =>
  fc.record({
    model: fc.constantFrom(...models),
    alternatives: sometimes(fc.shuffledSubarray(models, { minLength: 1 }), 3),
    operation: fc.oneof({ arbitrary: fc.constant('responses' as Operation), weight: 3 }, { arbitrary: fc.constantFrom(...OPS), weight: 1 }),
    itemCount: fc.integer({ min: 1, max: 600 }),
    inputTokens: fc.integer({ min: 0, max: 2_000_000 }),
    outputTokens: fc.integer({ min: 0, max: 500_000 }),
    maxItemTokens: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 8000 }), weight: 9 }, { arbitrary: fc.integer({ min: 8000, max: 250_000 }), weight: 1 }),
    needsTools: chance(25),
  }).map(({ alternatives, ...d }) => ({ ...d, ...(alternatives ? { alternatives } : {}) }))

export const arbPolicy: fc.Arbitrary<RoutingPolicy> = fc.record({
  routingMode: fc.constantFrom('cheapest', 'sla_aware', 'public_only', 'edge_only', 'hybrid', 'privacy_constrained' as const),
  privacyTier: fc.oneof({ arbitrary: fc.constant('standard' as const), weight: 3 }, { arbitrary: fc.constantFrom('confidential', 'restricted' as const), weight: 2 }),
  slaSeconds: fc.oneof({ arbitrary: fc.constantFrom(HOUR, 24 * HOUR, 48 * HOUR), weight: 3 }, { arbitrary: fc.integer({ min: 0, max: 72 * HOUR }), weight: 1 }),
  slaTier: sometimes(fc.constantFrom('standard', 'flex', 'priority' as const), 2),
  allowedRegions: sometimes(fc.subarray(REGIONS, { minLength: 1 })),
  only: sometimes(fc.subarray(PROVIDERS, { minLength: 1 }), 6),
  order: sometimes(fc.shuffledSubarray(PROVIDERS, { minLength: 1 }), 3),
  allowFallbacks: chance(80),
  zdr: sometimes(fc.boolean(), 5),
  maxPriceMicros: sometimes(fc.integer({ min: 0, max: 20_000_000 }), 5),
}).map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as unknown as RoutingPolicy)

/** A random world: models, 0–12 offerings over them, 1–4 demands and a policy. */
export const arbWorld = arbModels.chain((models) =>
  fc.record({
    states: fc.integer({ min: 0, max: 12 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => arbState(i, models)))),
    demands: fc.array(arbDemand(models), { minLength: 1, maxLength: 4 }),
    policy: arbPolicy,
    shuffleSeed: fc.integer(),
  }),
)

/** A deterministic shuffle (xorshift) of `list` for the order-independence property. */
export function shuffled<T>(list: T[], seed: number): T[] {
  const out = [...list]
  let x = seed | 0 || 1
  for (let i = out.length - 1; i > 0; i--) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    const j = Math.abs(x) % (i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}
