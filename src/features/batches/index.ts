/** What other features may use of batches. */
export { batchesTable, itemsTable, lanesTable } from './table'
export type { BatchRow, ItemRow, LaneRow } from './table'
