/**
 * The provider simulator as a fetch handler with its own state, so the same instance can be
 * mounted in the appliance (demo mode) or served standalone (`batchrouter sim`). Dialects are
 * route modules over one SimState: OpenAI-compatible sync, OpenAI Files + Batch, Anthropic
 * Message Batches — one scenario and one set of stats for all of them. Given `dataDir`, the batch
 * dialects' files and batches persist there and survive restarts (sim-db.ts).
 */
import { anthropicBatchRoutes } from './anthropic-batches'
import { createBatchStore, type SimBatchLimits } from './batch-store'
import { controlRoutes } from './control'
import { openAiBatchRoutes } from './openai-batch'
import { openAiFileRoutes } from './openai-files'
import { openAiSyncRoutes } from './openai-sync'
import { openAiError, type SimContext, type SimRoute } from './respond'
import { openSimDb } from './sim-db'
import { createSimState, releaseHangs, type SimState } from './state'

export interface SimulatorOptions {
  /** Prefix of the wire paths: `''` standalone (`/v1/chat/completions`), `/_sim/upstream` mounted. */
  upstreamPrefix?: string
  /** Clock for `created` fields and the batch dialects' simulated time (ms since the epoch). */
  now?: () => number
  /** Provider batch limits to enforce (default: the real ones; tests lower them). */
  batchLimits?: Partial<SimBatchLimits>
  /** Directory of the simulator's database and large files; absent → in memory, gone on exit. */
  dataDir?: string
}

export interface Simulator {
  /** Answers one request; never throws (unexpected errors become a 500 envelope). */
  handle(request: Request): Promise<Response>
  state: SimState
  /** Releases requests held open by `timeout_rate` and closes the database; call when stopping the server. */
  close(): void
}

interface CompiledRoute {
  route: SimRoute
  regex: RegExp
  names: string[]
}

/**
 * Builds a simulator: fresh in memory, or over `dataDir` with the files and batches stored there.
 * Throws SimDirLockedError when another simulator process holds `dataDir`.
 */
export function createSimulator(opts: SimulatorOptions = {}): Simulator {
  const prefix = (opts.upstreamPrefix ?? '').replace(/\/+$/, '')
  const now = opts.now ?? Date.now
  const sim = openSimDb(opts.dataDir)
  const state = createSimState(createBatchStore(sim, opts.batchLimits))
  const routes = [...openAiSyncRoutes(prefix), ...openAiFileRoutes(prefix), ...openAiBatchRoutes(prefix), ...anthropicBatchRoutes(prefix), ...controlRoutes()].map(compileRoute)

  async function handle(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname
    let methodMismatch = false
    for (const { route, regex, names } of routes) {
      const match = regex.exec(path)
      if (!match) continue
      if (route.method !== request.method) {
        methodMismatch = true
        continue
      }
      const params = Object.fromEntries(names.map((name, i) => [name, match[i + 1] ?? '']))
      const ctx: SimContext = { request, state, params, now }
      try {
        return await route.handle(ctx)
      } catch {
        return openAiError(500, 'The simulator failed while answering this request.')
      }
    }
    if (methodMismatch) return openAiError(405, `${request.method} is not allowed on ${path}.`, { code: 'method_not_allowed' })
    return openAiError(404, `Unknown simulator path ${request.method} ${path}.`, { code: 'unknown_url' })
  }

  let closed = false
  const close = () => {
    releaseHangs(state)
    if (!closed) sim.db.close()
    closed = true
  }
  return { handle, state, close }
}

function compileRoute(route: SimRoute): CompiledRoute {
  const names: string[] = []
  const source = route.pattern
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':')) {
        names.push(segment.slice(1))
        return '([^/]+)'
      }
      if (segment.startsWith('*')) {
        names.push(segment.slice(1))
        return '(.+)'
      }
      return segment.replace(/[.+?^${}()|[\]\\]/g, '\\$&')
    })
    .join('/')
  return { route, regex: new RegExp(`^${source}/?$`), names }
}
