/**
 * Dispatch owns the work (design §1 "One work queue"): lanes, provider jobs and leases; the lane
 * and provider-job state machines; the one claim / lease / extend / rescue helper; the one
 * offering → adapter lookup; the runners; and the one outcome path they all report through.
 */
export { lanesTable, providerJobsTable, leasesTable, type LaneRow, type ProviderJobRow, type LeaseRow } from './table'
export { LANE_STATUSES, LANE_TRANSITIONS, laneTransitionFrom, PROVIDER_JOB_STATUSES, PROVIDER_JOB_TRANSITIONS, providerJobTransitionFrom, UNFINISHED_PROVIDER_JOB_STATUSES, PROVIDER_JOB_CAUSES, type LaneStatus, type ProviderJobRowStatus, type ProviderJobCause } from './state'
export { defineClaim, openLeaseInTx, extendLease, endLease, endLeaseInTx, rescueLapsedLeases, sqlList, type LeaseKind, type ClaimQuery, type Claimed } from './leases'
export { targetOf, liveTargets, type Target, type RequestTarget, type BatchTarget } from './targets'
export { recordOutcomes, recordOutcomesInTx, stoppedOutcomes, MAX_ATTEMPTS, type PendingOutcome, type Stopped, type LaneRates } from './outcomes'
export { ITEM_LEASES, NODE_ITEM_LEASES, claimOfferingItems, claimLaneItems, claimNodeItems, readLines, requestOf, type ClaimedItem, type NodeClaimedItem, type LineResult, type BatchInput } from './item-work'
export { PROVIDER_JOB_LEASES, createProviderJobs, CLAIM_LEASE_MS, POLL_LEASE_MS, SUBMIT_LEASE_MS } from './provider-jobs'
export { RequestRunner, ITEM_LEASE_MS, CLAIM_GROUPS, type RequestRunnerOptions } from './request-runner'
export { BatchRunner } from './batch-runner'
export { lanesOfBatch, insertLaneInTx, addLaneItemsInTx, endLanesInTx, markLaneReroutedInTx, type NewLane } from './lanes'
export type { WorkPorts, WorkBatch, RerouteResult, StopIntent } from './ports'
export { RunnerCaches } from './runner-caches'
export { errorCodeOf } from './outcomes'
