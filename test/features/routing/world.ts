/**
 * A small routing world for the table-driven tests: models, offerings and builders for demands,
 * offering states and policies. Rates are micro-dollars per 1M tokens.
 */
import type { CatalogModel, CatalogOffering } from '../../../src/features/catalog/models'
import type { FeeSchedule, LaneCandidate, LaneDemand, OfferingState, RoutingPolicy } from '../../../src/features/routing/types'

export const HOUR = 3600
export const FEES: FeeSchedule = { batchFeeBps: 590, discounts: [], slaMultiplierBps: 10_000 }

export function model(slug: string, m: Partial<CatalogModel> = {}): CatalogModel {
  return { slug, display_name: slug, provider: 'maker', aliases: [], operations: ['responses', 'vision'], context_window: 100_000, max_output_tokens: 8000, default_output_tokens: 500, tokenizer: 'estimate', ...m }
}

export const CHAT = model('chat')
export const CHAT_LITE = model('chat-lite', { operations: ['responses'], context_window: 16_000 })
export const EMBED = model('embed', { operations: ['embeddings'] })

export function offering(id: string, o: Partial<CatalogOffering> = {}): CatalogOffering {
  return {
    offering_id: id, model: 'chat', provider: id.split('-')[0]!, lane_kind: 'public', input_per_1m: '1.00', output_per_1m: '1.00',
    max_batch_items: 10_000, concurrency: 8, regions: ['us'], retention: { zdr: false, days: 30 }, privacy_tiers: ['standard'],
    hosted_tools: [], supports_tools: true, turnaround_seconds: HOUR, ...o,
  }
}

/** An offering state priced at the offering's catalog strings, with full capacity. */
export function state(o: CatalogOffering, s: Partial<Omit<OfferingState, 'offering'>> = {}): OfferingState {
  const micros = (v: string) => Math.round(Number(v) * 1e6)
  return { offering: o, available: true, capacityLeft: Math.min(o.max_batch_items, o.concurrent_items ?? o.max_batch_items), rates: { input: micros(o.input_per_1m), output: micros(o.output_per_1m) }, ...s }
}

export function demand(d: Partial<LaneDemand> = {}): LaneDemand {
  return { model: CHAT, operation: 'responses', itemCount: 100, inputTokens: 100_000, outputTokens: 50_000, maxItemTokens: 1500, needsTools: false, ...d }
}

export function policy(p: Partial<RoutingPolicy> = {}): RoutingPolicy {
  return { routingMode: 'cheapest', privacyTier: 'standard', slaSeconds: 24 * HOUR, allowFallbacks: true, ...p }
}

// Prices per 1M tokens (input = output), turnaround, retention, regions, enrolment:
export const RETAIN = offering('retain-us', { input_per_1m: '0.40', output_per_1m: '0.40', turnaround_seconds: 2 * HOUR }) // cheapest public, keeps data 30 days
export const ZDR_EU = offering('zdrco-eu', { input_per_1m: '0.80', output_per_1m: '0.80', regions: ['eu'], retention: { zdr: true, days: 0 }, privacy_tiers: ['standard', 'confidential'] })
export const ZDR_MULTI = offering('multico-useu', { input_per_1m: '1.00', output_per_1m: '1.00', regions: ['us', 'eu'], retention: { zdr: true, days: 0 }, privacy_tiers: ['standard', 'confidential'], supports_tools: false, turnaround_seconds: HOUR / 2 })
export const EDGE_R = offering('edge-restricted', { provider: 'edge', lane_kind: 'edge', input_per_1m: '0.60', output_per_1m: '0.60', regions: ['local'], retention: { zdr: true, days: 0 }, privacy_tiers: ['standard', 'confidential', 'restricted'], supports_tools: false, max_batch_items: 50 })
export const EDGE_P = offering('edge2-plain', { provider: 'edge2', lane_kind: 'edge', input_per_1m: '0.50', output_per_1m: '0.50', regions: ['local'], retention: { zdr: true, days: 0 }, privacy_tiers: ['standard', 'confidential'], supports_tools: false })
export const SLOW = offering('bulk-slow', { input_per_1m: '0.10', output_per_1m: '0.10', turnaround_seconds: 30 * HOUR }) // cheapest of all, but takes 30 h
export const LITE = offering('lite-pub', { model: 'chat-lite', input_per_1m: '0.05', output_per_1m: '0.05' })

export const WORLD: OfferingState[] = [RETAIN, ZDR_EU, ZDR_MULTI, EDGE_R, EDGE_P, SLOW].map((o) => state(o))

/** WORLD with some states replaced (by offering id). */
export function worldWith(...replacements: OfferingState[]): OfferingState[] {
  return WORLD.map((s) => replacements.find((r) => r.offering.offering_id === s.offering.offering_id) ?? s).concat(replacements.filter((r) => !WORLD.some((s) => s.offering.offering_id === r.offering.offering_id)))
}

export const selectedOf = (cs: LaneCandidate[]) => cs.filter((c) => c.selected).map((c) => [c.offeringId, c.itemCount] as [string, number])
export const rejectionsOf = (cs: LaneCandidate[]): Record<string, string> => Object.fromEntries(cs.filter((c) => c.rejectionCode).map((c) => [c.offeringId, c.rejectionCode as string]))
