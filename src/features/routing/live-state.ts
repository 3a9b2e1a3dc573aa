/**
 * The live inputs of routing (with stats.ts, the part of this feature that reads the database):
 * provider configuration, capacity left per offering, observed statistics, rates (locked by a
 * quote or batch, else the catalog's), and each provider's circuit breaker (below).
 */
import { inArray, sql, and, desc, gte, isNotNull } from 'drizzle-orm'
import type { Deps } from '../../deps'
import type { CatalogOffering } from '../../catalog-schema'
import { catalogRates, liveOffering, providerOf } from '../catalog/index'
import { itemsTable } from '../items/index'
import { loadObservedStats } from './stats'
import type { OfferingState } from './types'
import { lanesTable, providerJobsTable } from '../dispatch/index'

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
 * running batches hold, at most max_batch_items for one lane), observed statistics and the
 * rates to price it at. Offerings missing from `locked` are priced at today's catalog rates.
 */
export function liveOfferingStates(deps: Deps, locked: LockedRates = {}): OfferingState[] {
  const catalog = deps.catalog()
  const held = heldItems(deps)
  const observed = loadObservedStats(deps, deps.clock.now())
  const circuits = providerCircuits(deps, deps.clock.now())
  return catalog.offerings.map((offering) => {
    const provider = providerOf(catalog, offering)
    const holding = held.get(offering.offering_id) ?? 0
    const stats = observed.get(offering.offering_id)
    return {
      offering,
      available: liveOffering(catalog, offering.offering_id) !== null,
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

// ---- The per-provider circuit breaker, derived from stored provider-job outcomes (so it survives a
// restart and needs no in-memory state): after CIRCUIT_FAILURE_THRESHOLD consecutive failed, expired
// or stalled provider jobs the circuit is `open` and routing sends the provider no new lanes;
// CIRCUIT_COOLDOWN_MS after the last failure it is `half_open` and lets one probe lane through;
// while that lane runs the circuit reads `open` again; the probe's job ending well closes it,
// failing re-opens it for another cool-down.

/** Consecutive failures that open the circuit by default (config `circuit.failureThreshold`). */
export const CIRCUIT_FAILURE_THRESHOLD = 3
/** Time after the last failure before one probe lane may go through, by default (config `circuit.cooldownSeconds`). */
export const CIRCUIT_COOLDOWN_MS = 5 * 60_000
/** Provider-job causes that count as a provider failure. */
export const CIRCUIT_FAILURE_CAUSES = ['provider_failed', 'provider_expired', 'lane_stalled'] as const
/**
 * Causes that say nothing about the provider's health and are skipped (neither failure nor
 * success): our batch was stopped, or the job was lost — which is what our own restart against
 * a provider that forgot its jobs looks like; the items are sent again and those jobs count.
 */
export const CIRCUIT_NEUTRAL_CAUSES = ['batch_stopped', 'provider_lost'] as const
/** Outcomes older than this no longer keep a circuit open. */
const OUTCOME_WINDOW_MS = 24 * 3600 * 1000
const READ_LIMIT = 1000

export type CircuitState = 'closed' | 'open' | 'half_open'

/** One finished provider job: failed (a failure cause) or not, and when it ended. */
export interface JobOutcome {
  failed: boolean
  at: number
}

export interface CircuitOptions {
  threshold: number
  cooldownMs: number
}

/**
 * Pure: the circuit for outcomes listed newest first. `probes(since)` counts this provider's
 * lanes created at or after `since` that are still running (a probe in flight).
 */
export function evaluateCircuit(outcomes: readonly JobOutcome[], now: number, probes: (since: number) => number, opts: CircuitOptions = { threshold: CIRCUIT_FAILURE_THRESHOLD, cooldownMs: CIRCUIT_COOLDOWN_MS }): CircuitState {
  let failures = 0
  for (const o of outcomes) {
    if (!o.failed) break
    failures++
  }
  if (failures < opts.threshold) return 'closed'
  const probeFrom = outcomes[0]!.at + opts.cooldownMs
  if (now < probeFrom) return 'open'
  return probes(probeFrom) > 0 ? 'open' : 'half_open'
}

/**
 * The circuit of every provider with recent provider-job outcomes (absent = closed).
 * `failingNow` counts one more failure of that provider, ending now — a job that is failing and
 * not yet recorded — so a threshold of 1 opens on the very job that failed.
 */
export function providerCircuits(deps: Deps, now: number, failingNow?: string): Map<string, CircuitState> {
  const rows = deps.db
    .select({ provider: providerJobsTable.provider, cause: providerJobsTable.cause, endedAt: providerJobsTable.endedAt })
    .from(providerJobsTable)
    .where(and(isNotNull(providerJobsTable.endedAt), gte(providerJobsTable.endedAt, now - OUTCOME_WINDOW_MS), sql`coalesce(${providerJobsTable.cause}, '') NOT IN ${CIRCUIT_NEUTRAL_CAUSES}`))
    .orderBy(desc(providerJobsTable.endedAt), desc(providerJobsTable.id))
    .limit(READ_LIMIT)
    .all()
  const byProvider = new Map<string, JobOutcome[]>()
  for (const r of rows) {
    const list = byProvider.get(r.provider) ?? []
    list.push({ failed: (CIRCUIT_FAILURE_CAUSES as readonly (string | null)[]).includes(r.cause), at: r.endedAt ?? 0 })
    byProvider.set(r.provider, list)
  }
  if (failingNow) byProvider.set(failingNow, [{ failed: true, at: now }, ...(byProvider.get(failingNow) ?? [])])
  const out = new Map<string, CircuitState>()
  for (const [provider, outcomes] of byProvider) {
    const probes = (since: number) =>
      Number(deps.db.select({ n: sql<number>`count(*)` }).from(lanesTable).where(and(sql`${lanesTable.provider} = ${provider}`, gte(lanesTable.createdAt, since), inArray(lanesTable.status, ['dispatched']))).get()?.n ?? 0)
    out.set(provider, evaluateCircuit(outcomes, now, probes, { threshold: deps.config.circuit.failureThreshold, cooldownMs: deps.config.circuit.cooldownSeconds * 1000 }))
  }
  return out
}
