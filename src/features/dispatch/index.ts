/** What other parts of the app use of dispatch: the work tables and their state vocabulary. */
export { lanesTable, providerJobsTable, type LaneRow, type ProviderJobRow } from './table'
export { PROVIDER_JOB_STATUSES, PROVIDER_JOB_CAUSES, type ProviderJobRowStatus, type ProviderJobCause } from './state'
