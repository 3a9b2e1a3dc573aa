/** Mounts the provider simulator inside the appliance (demo mode). Stub: filled in by the simulator work. */
import { Elysia } from 'elysia'

/** Upstream wire endpoints live under this prefix; the control surface under /_sim. */
export const SIM_UPSTREAM_PREFIX = '/_sim/upstream'

export function simulatorRoutes() {
  return new Elysia()
}
