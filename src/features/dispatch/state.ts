/**
 * The state machines of the work rows dispatch owns: lanes and provider jobs (items have theirs
 * in features/items, next to their table). Every status write goes through a guard built from
 * the table here (lib/transitions).
 */
import { transitionGuard } from '../../lib/transitions'

/** Life of a lane: a batch's items assigned to one offering (features/routing creates lanes). */
export const LANE_STATUSES = [
  'dispatched', // routing assigned its items; runners claim them
  'rerouted', // failover moved its unfinished items to a fallback lane; nothing left to run here
  'completed', // terminal (set by finalize): its batch completed
  'failed', // terminal: its batch failed
  'cancelled', // terminal: its batch was cancelled
  'expired', // terminal: its batch expired
] as const
export type LaneStatus = (typeof LANE_STATUSES)[number]

/** Where each lane status may go; finalize ends a batch's lanes (a rerouted one included) with the batch. */
export const LANE_TRANSITIONS: Readonly<Record<LaneStatus, readonly LaneStatus[]>> = {
  dispatched: ['rerouted', 'completed', 'failed', 'cancelled', 'expired'],
  rerouted: ['completed', 'failed', 'cancelled', 'expired'],
  completed: [],
  failed: [],
  cancelled: [],
  expired: [],
}

/** Guards every lane status write. */
export const laneTransitionFrom = transitionGuard('lane', LANE_TRANSITIONS)

/** Life of a provider job (a batch submitted to a provider's batch API). */
export const PROVIDER_JOB_STATUSES = [
  'submitting', // row written, remote create not yet confirmed; collect-results reconciles or resubmits it
  'running', // the provider has it; collect-results polls it (next_poll_at)
  'ended', // terminal: the provider finished it; every line's outcome recorded
  'failed', // terminal: the provider refused or failed it, or it stalled; unfinished items re-routed
  'expired', // terminal: the provider's window ran out; finished lines kept, the rest re-routed
  'cancelled', // terminal: cancelled (our batch was cancelled/expired, or the job stalled); finished lines kept
] as const
export type ProviderJobRowStatus = (typeof PROVIDER_JOB_STATUSES)[number]

/** Statuses of a provider job that is not finished (collect-results still owes it a look). */
export const UNFINISHED_PROVIDER_JOB_STATUSES = ['submitting', 'running'] as const satisfies readonly ProviderJobRowStatus[]

/**
 * Where each provider-job status may go. A submitting job ends without running when its batch
 * stops or its create keeps failing, or `ended` when nothing was left to send.
 */
export const PROVIDER_JOB_TRANSITIONS: Readonly<Record<ProviderJobRowStatus, readonly ProviderJobRowStatus[]>> = {
  submitting: ['running', 'ended', 'failed', 'cancelled'],
  running: ['ended', 'failed', 'expired', 'cancelled'],
  ended: [],
  failed: [],
  expired: [],
  cancelled: [],
}

/** Guards every provider-job status write. */
export const providerJobTransitionFrom = transitionGuard('provider job', PROVIDER_JOB_TRANSITIONS)

/** Why a provider job did not end normally; also the cause of the re-route it triggers (receipt). */
export const PROVIDER_JOB_CAUSES = [
  'provider_failed', // the submission was refused or kept failing, or the remote job failed: counts against the circuit
  'provider_expired', // the remote job expired: counts against the circuit
  'lane_stalled', // no progress within the offering's expected turnaround: counts against the circuit
  'provider_lost', // the provider no longer knows the remote job (e.g. lost across a restart): neutral for the circuit, its items are sent again
  'batch_stopped', // our client batch was cancelled or expired: neutral for the circuit
] as const
export type ProviderJobCause = (typeof PROVIDER_JOB_CAUSES)[number]
