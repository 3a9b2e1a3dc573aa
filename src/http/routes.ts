/** Every route of the API, mounted in one place (PocketBase-style), in the order they are documented. */
import type { Elysia } from 'elysia'
import type { Deps } from '../deps'
import { openApiRoutes } from './openapi'
import { consoleRoutes } from './console'
import { httpMetrics, metricsRoutes } from './metrics'
import { accountsRoutes } from '../features/accounts/routes'
import { adminRoutes } from '../features/admin/routes'
import { filesRoutes } from '../features/files/routes'
import { catalogRoutes } from '../features/catalog/routes'
import { quotesRoutes } from '../features/quotes/routes'
import { batchesRoutes } from '../features/batches/routes'
import { webhooksRoutes } from '../features/webhooks/routes'
import { SIM_UPSTREAM_PREFIX, simulatorRoutes } from '../sim/mount'
import { createSimulator } from '../sim/simulator'

export function mountRoutes<A extends Elysia<any, any, any, any, any, any, any>>(base: A, deps: Deps) {
  const app = base
    .use(httpMetrics(deps.metrics))
    .use(metricsRoutes(deps))
    .use(openApiRoutes())
    .use(consoleRoutes())
    .use(accountsRoutes(deps))
    .use(filesRoutes(deps))
    .use(quotesRoutes(deps))
    .use(batchesRoutes(deps))
    .use(webhooksRoutes(deps))
    .use(catalogRoutes(deps))
    .use(adminRoutes(deps))
  // The mounted simulator runs on the app's clock, so tests that advance a fake clock advance its batches too.
  return deps.config.demo ? app.use(simulatorRoutes(createSimulator({ upstreamPrefix: SIM_UPSTREAM_PREFIX, now: () => deps.clock.now() }))) : app
}
