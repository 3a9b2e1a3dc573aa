/**
 * `GET /metrics` (contract §10): this app's Prometheus registry in text exposition format, and the
 * hooks that count every HTTP request by method, route template and status. Unauthenticated by
 * default — the router listens on 127.0.0.1 unless told otherwise; `metrics.requireAdminKey`
 * puts it behind an admin key for deployments that listen more widely.
 */
import { Elysia } from 'elysia'
import type { Deps, Metrics } from '../deps'
import { adminAuth } from '../features/api-keys/index'

/**
 * Times every request from `onRequest` to `onAfterResponse` and counts it under its route
 * template (`/v1/batches/:id`; `unmatched` for unknown paths). `.use()` it before the routes.
 */
export function httpMetrics(metrics: Metrics) {
  const started = new WeakMap<Request, number>()
  return new Elysia()
    .onRequest(({ request }) => {
      started.set(request, performance.now())
    })
    .onAfterResponse({ as: 'global' }, ({ request, route, set, responseValue }) => {
      const t0 = started.get(request)
      const seconds = t0 === undefined ? 0 : (performance.now() - t0) / 1000
      metrics.observeRequest(request.method, route || undefined, statusOf(set.status, responseValue), seconds)
    })
}

/** A handler's own Response carries its status unless `set.status` overrode it (Elysia merges them the same way). */
function statusOf(setStatus: unknown, responseValue: unknown): number {
  const status = typeof setStatus === 'number' ? setStatus : 200
  return status === 200 && responseValue instanceof Response ? responseValue.status : status
}

/** The scrape endpoint; the registry collects the SQLite gauges on each request. */
export function metricsRoutes(deps: Deps) {
  const guard = deps.config.metrics.requireAdminKey ? adminAuth(deps) : new Elysia()
  return new Elysia({ tags: ['Operations'] })
    .use(guard)
    .get(
      '/metrics',
      async ({ set }) => {
        set.headers['content-type'] = deps.metrics.registry.contentType
        return await deps.metrics.registry.metrics()
      },
      {
        detail: {
          summary: 'Prometheus metrics',
          description:
            'Text exposition format: HTTP requests and durations by route template, scheduler job passes and failures, provider outcomes by provider and kind, and — read from the database on each scrape — batches by status, items of unfinished batches by status and ledger totals. No key needed unless `metrics.requireAdminKey` is set.',
          responses: {
            200: {
              description: 'Prometheus text exposition format 0.0.4.',
              content: { 'text/plain': { schema: { type: 'string' }, example: '# HELP batchrouter_batches Batches by native status.\n# TYPE batchrouter_batches gauge\nbatchrouter_batches{status="completed"} 3\n' } },
            },
          },
        },
      },
    )
}
