/** What other features may use of batches. */
export { batchesTable, itemsTable, lanesTable, routingDecisionsTable, providerJobsTable } from './table'
export type { BatchRow, ItemRow, LaneRow, ProviderJobRow } from './table'
export { PROVIDER_JOB_STATUSES, PROVIDER_JOB_CAUSES, type ProviderJobRowStatus, type ProviderJobCause } from './state'
export { getBatchForOrg, batchTotals } from './queries'
export { isTerminal, openAiStatus, transitionFrom } from './state'
export { signArtifactToken } from './artifact-url'
export { TERMINAL_BATCH_STATUSES, BATCH_STATUSES, ITEM_STATUSES } from './state'
