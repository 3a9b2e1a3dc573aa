/**
 * What the runners need from features above dispatch, handed in by the composition root
 * (jobs/registry.ts): batch facts and the batch's move to processing (features/batches), the
 * batch.progress events of the outcome path (features/webhooks), and re-routing a failed provider
 * job's items (features/routing). Dispatch stays below them all; nothing here is a value import.
 */
import type { Deps } from '../../deps'
import type { ProviderJobCause } from './state'

/** Why a batch is ending early (features/batches END_INTENTS, structurally). */
export type StopIntent = 'cancelled' | 'expired' | 'failed'

/** What runners need of a batch. */
export interface WorkBatch {
  id: string
  orgId: string
  /** The batch's JSONL input: item lines are read back from it by byte range. */
  inputPath: string
  /** Set once the batch is being cancelled or expired: its work stops. */
  endIntent: StopIntent | null
  slaDeadline: number
  /** Rates locked per offering id (a re-route prices its new lane at them). */
  lockedRates: Record<string, { input: number; output: number }>
}

/** Where a re-route sent a provider job's unfinished items: a new lane, or nowhere (they fail with `message`). */
export type RerouteResult = { toLaneId: string; moved: number } | { toLaneId: null; message: string }

export interface WorkPorts {
  /** The batch's facts; undefined when it no longer exists. */
  batch(deps: Deps, batchId: string): WorkBatch | undefined
  /** Items of these batches were just claimed: dispatched → processing. Inside the claim's transaction. */
  startedInTx(deps: Deps, batchIds: ReadonlySet<string>, now: number): void
  /** Outcomes of `itemIds` were just written: batch.progress events, inside that transaction. Returns events written. */
  recordedInTx(deps: Deps, itemIds: readonly string[], now: number): number
  /** Moves `itemIds` (running items of provider job `job`) down their lane's fallback ladder, recording the re-route. */
  reroute(deps: Deps, job: { id: string; laneId: string }, batch: WorkBatch, itemIds: readonly string[], cause: ProviderJobCause, now: number, detail?: string): RerouteResult
  /** Whether the provider's circuit is open counting the job failing now (features/routing): its items then skip a retry on the same offering. */
  circuitOpen(deps: Deps, provider: string, now: number): boolean
}
