/** The app's Prometheus metrics: the per-app registry with its event counters, and the gauges read from SQLite on scrape. */
export { createMetrics, UNMATCHED_ROUTE } from './registry'
export { registerStateGauges, countBatchesByStatus, countActiveItemsByStatus, ledgerTotals } from './collect-state'
