/**
 * The app's Prometheus instruments, one `Registry` per app (never prom-client's global default
 * registry: tests run many apps in one process, and each must count only its own work).
 * Event counters live here; gauges read from SQLite on scrape live in `collect-state.ts`.
 */
import { Counter, Histogram, Registry } from 'prom-client'
import type { Metrics, OutcomeLike } from '../../deps'

/** Request-duration buckets in seconds: API calls are milliseconds, uploads and results pages can take seconds. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

/** The label every request that matched no route gets (raw paths would explode cardinality). */
export const UNMATCHED_ROUTE = 'unmatched'

/** A fresh registry with the event counters registered on it (no default process metrics, no timers). */
export function createMetrics(): Metrics {
  const registry = new Registry()
  const registers = [registry]
  const requests = new Counter({ name: 'batchrouter_http_requests_total', help: 'HTTP requests answered, by method, route template and status.', labelNames: ['method', 'route', 'status'] as const, registers })
  const duration = new Histogram({ name: 'batchrouter_http_request_duration_seconds', help: 'HTTP request duration in seconds, by method and route template.', labelNames: ['method', 'route'] as const, buckets: DURATION_BUCKETS, registers })
  const jobPasses = new Counter({ name: 'batchrouter_job_passes_total', help: 'Scheduler job passes run (failed ones included), by job.', labelNames: ['job'] as const, registers })
  const jobFailures = new Counter({ name: 'batchrouter_job_failures_total', help: 'Scheduler job passes that threw, by job.', labelNames: ['job'] as const, registers })
  const outcomes = new Counter({ name: 'batchrouter_provider_outcomes_total', help: 'Provider call outcomes written, by provider and kind (ok, an error kind, cancelled, expired).', labelNames: ['provider', 'kind'] as const, registers })
  return {
    registry,
    observeRequest(method, route, status, seconds) {
      const template = route ?? UNMATCHED_ROUTE
      requests.inc({ method, route: template, status: String(status) })
      duration.observe({ method, route: template }, seconds)
    },
    countJobPass(job, failed) {
      jobPasses.inc({ job })
      if (failed) jobFailures.inc({ job })
    },
    countProviderOutcomes(list) {
      for (const o of list) outcomes.inc({ provider: o.provider, kind: outcomeKind(o.outcome) })
    },
  }
}

function outcomeKind(outcome: OutcomeLike['outcome']): string {
  if (outcome.ok) return 'ok'
  return 'stoppedAs' in outcome ? outcome.stoppedAs : outcome.error.kind
}
