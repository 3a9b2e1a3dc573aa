/**
 * Every route of the appliance, mounted in one place (PocketBase-style), in the order they are
 * documented: operations (health, metrics, the API reference), the API by feature, and — in
 * demo mode — the provider simulator.
 */
import type { Elysia } from 'elysia'
import type { Deps } from '../deps'
import { openApiRoutes } from './openapi'
import { httpMetrics, metricsRoutes } from './metrics'
import { healthRoutes, type Readiness } from '../features/health/index'
import { accountsRoutes } from '../features/accounts/index'
import { apiKeysRoutes, sessionRoutes } from '../features/api-keys/index'
import { creditsRoutes } from '../features/credits/index'
import { adminRoutes } from '../features/admin/index'
import { filesRoutes } from '../features/files/index'
import { catalogRoutes } from '../features/catalog/index'
import { quotesRoutes } from '../features/quotes/index'
import { batchReadingFile, batchesRoutes } from '../features/batches/index'
import { webhooksRoutes } from '../features/webhooks/index'
import { fleetAdminRoutes, fleetNodeRoutes } from '../features/fleet/index'
import { WORK_PORTS } from '../jobs/registry'
import { SIM_UPSTREAM_PREFIX, simulatorRoutes } from '../sim/mount'
import { createSimulator } from '../sim/simulator'

/** Never ready: for a route table built without a running app (tests listing the routes). */
const NOT_RUNNING: Readiness = { draining: () => false, schedulerRunning: () => false }

/** Mounts every route module on `base`; `readiness` tells /readyz about the scheduler and draining. */
export function mountRoutes<A extends Elysia<any, any, any, any, any, any, any>>(base: A, deps: Deps, readiness: Readiness = NOT_RUNNING) {
  const app = base
    .use(httpMetrics(deps.metrics))
    .use(healthRoutes(deps, readiness))
    .use(metricsRoutes(deps))
    .use(openApiRoutes())
    .use(accountsRoutes(deps))
    .use(apiKeysRoutes(deps))
    .use(sessionRoutes(deps))
    .use(creditsRoutes(deps))
    // A running batch's input may not be deleted: batches answers who reads a file.
    .use(filesRoutes(deps, batchReadingFile))
    .use(quotesRoutes(deps))
    .use(batchesRoutes(deps))
    .use(webhooksRoutes(deps))
    .use(catalogRoutes(deps))
    .use(adminRoutes(deps))
    .use(fleetAdminRoutes(deps))
    .use(fleetNodeRoutes(deps, WORK_PORTS))
  // The mounted simulator runs on the app's clock, so tests that advance a fake clock advance its batches too.
  // Its provider batches live in <dataDir>/sim/, so they outlive a restart as a real provider's do.
  return deps.config.demo ? app.use(simulatorRoutes(createSimulator({ upstreamPrefix: SIM_UPSTREAM_PREFIX, now: deps.clock.now.bind(deps.clock), dataDir: `${deps.paths.dataDir}/sim` }))) : app
}
