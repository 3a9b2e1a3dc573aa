/**
 * When a provider job cannot finish its items — it failed, expired or stalled, or its creation
 * kept failing — its unfinished items are stopped (the batch is being cancelled or expired),
 * moved down their lane's fallback ladder (features/routing, through the ports), or failed when
 * no fallback can take them in time. Finished items never move.
 */
import type { Deps } from '../../deps'
import { providerError } from '../../providers/http-errors'
import { ProviderCallError, type ProviderError } from '../../providers/types'
import { recordOutcomes, stoppedOutcomes } from './outcomes'
import { laneRatesOf } from './provider-jobs'
import type { WorkBatch, WorkPorts } from './ports'
import type { ProviderJobCause } from './state'

/** What the batch runner's modules share: the app's deps and the ports to the features above. */
export interface BatchContext {
  deps: Deps
  ports: WorkPorts
}

/** Stops, re-routes or fails `items` (running items of `job`); returns how many moved to a fallback lane. */
export function failOver(ctx: BatchContext, job: { id: string; laneId: string; provider: string }, batch: WorkBatch, items: readonly { id: string; attempts: number }[], cause: ProviderJobCause, now: number): number {
  const { deps, ports } = ctx
  if (items.length === 0) return 0
  const meta = { provider: job.provider, rates: laneRatesOf(deps, job.laneId) }
  if (batch.endIntent) {
    recordOutcomes(deps, ports, stoppedOutcomes(items, meta, batch.endIntent), now)
    return 0
  }
  const where = ports.reroute(deps, job, batch, items.map((i) => i.id), cause, now)
  if (where.toLaneId !== null) {
    deps.log.info('provider job failed over', { job_id: job.id, cause, to_lane: where.toLaneId, items: where.moved })
    deps.nudge('dispatch-items')
    return where.moved
  }
  const error: ProviderError = { kind: 'server_error', retryable: false, message: where.message }
  recordOutcomes(deps, ports, items.map((i) => ({ itemId: i.id, attempt: i.attempts, ...meta, outcome: { ok: false as const, itemId: i.id, error } })), now)
  return 0
}

/** The ProviderError of anything an adapter threw (an unexpected exception counts as a retryable server error). */
export function callError(err: unknown): ProviderError {
  if (err instanceof ProviderCallError) return err.error
  return providerError('server_error', `Unexpected error talking to the provider: ${err instanceof Error ? err.message.slice(0, 200) : 'unknown'}.`)
}
