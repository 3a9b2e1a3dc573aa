/** The state machines of the work rows dispatch owns: provider jobs (and lanes). */

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

/** Why a provider job did not end normally; also the cause of the re-route it triggers (receipt). */
export const PROVIDER_JOB_CAUSES = [
  'provider_failed', // the submission was refused or kept failing, or the remote job failed: counts against the circuit
  'provider_expired', // the remote job expired: counts against the circuit
  'lane_stalled', // no progress within the offering's expected turnaround: counts against the circuit
  'batch_stopped', // our client batch was cancelled or expired: neutral for the circuit
] as const
export type ProviderJobCause = (typeof PROVIDER_JOB_CAUSES)[number]
