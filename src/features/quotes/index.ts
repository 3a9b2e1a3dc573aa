/** What other features use of quotes. */
export { requireLiveQuote } from './table-access'
export { routingParams, differingParams } from './params'
export { assertSomethingRuns, assertBatchCanRun, assertWithinMaxPrice, QUOTE_TTL_MS } from './service'
export { explainPlan } from './present'
export { quotesTable, type QuoteRow } from './table'
export { quotesRoutes } from './routes'
