/**
 * The simulator's control surface (design §5), always at `/_sim/*`:
 * `PUT /_sim/scenario` sets behaviour, `GET /_sim/scenario` reads it back, `GET /_sim/stats`
 * counts wire requests, `POST /_sim/reset` clears scenario, stats and counters, and every file and
 * batch of the batch dialects (on disk too). Scenario and stats live in memory only.
 */
import { Value } from '@sinclair/typebox/value'
import { Scenario } from './faults'
import { invalidRequest, jsonResponse, readJsonObject, type SimRoute } from './respond'
import { resetSimState, setScenario } from './state'

/** Path prefix of the control surface, mounted or standalone. */
export const CONTROL_PREFIX = '/_sim'

/** Routes of the control surface. */
export function controlRoutes(): SimRoute[] {
  return [
    {
      method: 'PUT',
      pattern: `${CONTROL_PREFIX}/scenario`,
      async handle({ request, state }) {
        const read = await readJsonObject(request)
        if (!read.ok) return read.response
        if (!Value.Check(Scenario, read.body)) {
          const first = Value.Errors(Scenario, read.body).First()
          const param = first?.path ? first.path.slice(1).replace(/\//g, '.') : null
          return invalidRequest(`Invalid scenario${param ? ` at '${param}'` : ''}: ${first?.message ?? 'unexpected shape'}.`, param)
        }
        setScenario(state, read.body)
        return jsonResponse({ scenario: state.scenario })
      },
    },
    { method: 'GET', pattern: `${CONTROL_PREFIX}/scenario`, handle: ({ state }) => jsonResponse({ scenario: state.scenario }) },
    { method: 'GET', pattern: `${CONTROL_PREFIX}/stats`, handle: ({ state }) => jsonResponse(state.stats) },
    {
      method: 'POST',
      pattern: `${CONTROL_PREFIX}/reset`,
      handle({ state }) {
        resetSimState(state)
        return jsonResponse({ reset: true })
      },
    },
  ]
}
