/** Liveness and readiness (`/healthz`, `/readyz`). */
export { healthRoutes, type Readiness } from './routes'
