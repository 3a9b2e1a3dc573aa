/**
 * The live inputs of routing (with stats.ts, the part of this feature that reads the database):
 * provider configuration, capacity left per offering, observed statistics, and rates (locked by a
 * quote or batch, else the catalog's).
 */
import { inArray, sql } from 'drizzle-orm'
import type { Deps } from '../../deps'
import type { CatalogOffering } from '../../catalog-schema'
import { catalogRates, isProviderConfigured } from '../catalog/index'
import { itemsTable } from '../items/index'
import { loadObservedStats } from './stats'
import { providerCircuits } from './circuit'
import type { OfferingState } from './types'

export type LockedRates = Record<string, { input: number; output: number }>

/** Items currently held (queued or running) per offering, across every batch. */
function heldItems(deps: Deps): Map<string, number> {
  const rows = deps.db
    .select({ offeringId: itemsTable.offeringId, n: sql<number>`count(*)` })
    .from(itemsTable)
    .where(inArray(itemsTable.status, ['queued', 'running']))
    .groupBy(itemsTable.offeringId)
    .all()
  return new Map(rows.map((r) => [r.offeringId ?? '', Number(r.n)]))
}

/**
 * Every catalog offering with availability, capacity left (its concurrent capacity minus what
 * running batches hold, at most max_batch_items for one lane), observed statistics and the rates to price it at. Offerings missing from
 * `locked` are priced at today's catalog rates.
 */
export function liveOfferingStates(deps: Deps, locked: LockedRates = {}): OfferingState[] {
  const catalog = deps.catalog()
  const held = heldItems(deps)
  const observed = loadObservedStats(deps, deps.clock.now())
  const circuits = providerCircuits(deps, deps.clock.now())
  return catalog.offerings.map((offering) => {
    const provider = catalog.providers.find((p) => p.id === offering.provider)
    const holding = held.get(offering.offering_id) ?? 0
    const stats = observed.get(offering.offering_id)
    return {
      offering,
      available: provider ? isProviderConfigured(provider) : false,
      circuit: circuits.get(offering.provider) ?? 'closed',
      ...(provider ? { providerKind: provider.kind } : {}),
      capacityLeft: Math.max(0, Math.min(offering.max_batch_items, (offering.concurrent_items ?? offering.max_batch_items) - holding)),
      heldItems: holding,
      rates: locked[offering.offering_id] ?? catalogRates(offering),
      ...(stats ? { observed: stats } : {}),
    }
  })
}

/** The rates a plan used, to lock in a quote or batch. */
export function ratesToLock(states: OfferingState[]): LockedRates {
  return Object.fromEntries(states.map((s) => [s.offering.offering_id, s.rates]))
}
