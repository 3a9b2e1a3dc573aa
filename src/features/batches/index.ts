/** What other features may use of batches. */
export { batchesTable, itemsTable, lanesTable, routingDecisionsTable } from './table'
export type { BatchRow, ItemRow, LaneRow } from './table'
