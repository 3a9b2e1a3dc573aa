/**
 * Mounts the provider simulator inside the appliance (demo mode): wire endpoints under
 * `/_sim/upstream/v1/*`, the control surface under `/_sim/{scenario,stats,reset}`, both served
 * by one simulator instance from the raw Request (Elysia does not parse these bodies). Demo
 * mode gives the simulator `<dataDir>/sim/`, so its provider batches outlive restarts.
 */
import { Elysia } from 'elysia'
import { createSimulator, type Simulator } from './simulator'

/** Upstream wire endpoints live under this prefix; the control surface under /_sim. */
export const SIM_UPSTREAM_PREFIX = '/_sim/upstream'

/**
 * An Elysia plugin forwarding every `/_sim/*` request to `sim` (a fresh simulator by default).
 * Paths outside `/_sim/*` are untouched, so the app's 404/405 and onError still apply there;
 * under `/_sim/*` the simulator answers unknown paths itself with an OpenAI error envelope.
 * Stopping the app closes the simulator (and its database).
 */
export function simulatorRoutes(sim: Simulator = createSimulator({ upstreamPrefix: SIM_UPSTREAM_PREFIX })) {
  return new Elysia().onStop(() => sim.close()).all('/_sim/*', ({ request }) => sim.handle(request), { parse: 'none', detail: { hide: true } })
}
