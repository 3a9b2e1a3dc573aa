/**
 * Items: the unit of work (contract §3). Ingest validates an input file in one streaming pass;
 * dispatch reads lines back by byte range and turns them into provider requests.
 */
export { loadRequestItems, preflightError, type LoadedItems, type ItemSource } from './load'
export { ingestJsonlFile, type IngestHooks } from './ingest'
export { ingestInWorker } from './ingest-offthread'
export { CreatingItemsWriter } from './item-rows'
export { writeInlineItemsFile } from './load'
export { readItemLines } from './provider-body'
export { toProviderRequest } from './provider-body'
export { PREFLIGHT_CODES, MAX_LISTED_PROBLEMS, ITEM_URLS } from './types'
export type { ItemDraft, PreflightProblem, IngestResult, IngestOptions, PreflightCode, ItemOperation, ItemUrl } from './types'
export { NativeLine, OpenAiLine } from './line-shapes'
export { MAX_CUSTOMER_ITEM_ID_CHARS } from './validate-line'
export { itemsTable, itemTotalsTable, type ItemRow } from './table'
export { itemTotalsOf, type ItemTotalsGroup } from './totals'
export { ITEM_STATUSES, UNFINISHED_ITEM_STATUSES, ITEM_TRANSITIONS, itemTransitionFrom, type ItemStatus } from './state'
