/**
 * What the operator console shows at a glance: each provider's health (configured, circuit
 * breaker, work held, capacity left) and the appliance's totals (orgs, batches and items by
 * status, ledger totals, HTTP answers since start). Reads only; each figure is one aggregate query
 * (the same ones /metrics runs on a scrape) or a read of this app's Prometheus registry.
 */
import { sql } from 'drizzle-orm'
import type { Deps } from '../../deps'
import { formatMicros } from '../../lib/money'
import { orgsTable } from '../accounts/index'
import { liveOfferingStates } from '../routing/index'
import { countActiveItemsByStatus, countBatchesByStatus, ledgerTotals } from '../metrics/index'

/** One provider of the catalog with its live state. */
export interface ProviderHealth {
  provider: string
  displayName: string
  kind: string
  configured: boolean
  circuit: 'closed' | 'open' | 'half_open'
  offerings: number
  heldItems: number
  capacityLeft: number
}

/** Every catalog provider (catalog order) with its circuit and the offerings' held work and room. */
export function listProviderHealth(deps: Deps): ProviderHealth[] {
  const states = liveOfferingStates(deps)
  return deps.catalog().providers.map((p) => {
    const own = states.filter((s) => s.offering.provider === p.id)
    return {
      provider: p.id,
      displayName: p.display_name,
      kind: p.kind,
      configured: own.length > 0 ? own.some((s) => s.available) : Boolean(p.base_url),
      circuit: own.find((s) => s.circuit && s.circuit !== 'closed')?.circuit ?? 'closed',
      offerings: own.length,
      heldItems: own.reduce((n, s) => n + (s.heldItems ?? 0), 0),
      capacityLeft: own.reduce((n, s) => n + s.capacityLeft, 0),
    }
  })
}

/** The wire shape of one provider's health. */
export function presentProviderHealth(h: ProviderHealth) {
  return { provider: h.provider, display_name: h.displayName, kind: h.kind, configured: h.configured, circuit: h.circuit, offerings: h.offerings, held_items: h.heldItems, capacity_left: h.capacityLeft }
}

/** Totals for the operator's overview; `generated_at` is the clock's now. */
export async function buildOverview(deps: Deps) {
  const orgs = Number(deps.db.select({ n: sql<number>`count(*)` }).from(orgsTable).get()?.n ?? 0)
  const ledger = ledgerTotals(deps)
  return {
    object: 'overview' as const,
    generated_at: new Date(deps.clock.now()).toISOString(),
    orgs,
    batches: Object.fromEntries(countBatchesByStatus(deps)),
    active_items: Object.fromEntries(countActiveItemsByStatus(deps)),
    ledger: { currency: 'usd' as const, granted: formatMicros(ledger.granted), charged: formatMicros(ledger.charged), reserved: formatMicros(ledger.reserved) },
    http: await httpAnswers(deps),
  }
}

/** HTTP answers counted by this process since it started, by status class. */
async function httpAnswers(deps: Deps): Promise<{ total: number; client_errors: number; server_errors: number }> {
  const metric = deps.metrics.registry.getSingleMetric('batchrouter_http_requests_total')
  const values = metric ? (await metric.get()).values : []
  const sum = (test: (status: number) => boolean) => values.filter((v) => test(Number(v.labels.status))).reduce((n, v) => n + v.value, 0)
  return { total: sum(() => true), client_errors: sum((s) => s >= 400 && s < 500), server_errors: sum((s) => s >= 500) }
}
