/**
 * The provider simulator as its own HTTP server (`batchrouter sim`, tests): wire paths at the
 * root (`/v1/chat/completions`), control surface at `/_sim/*`.
 */
import { createSimulator, type Simulator, type SimulatorOptions } from './simulator'

export interface SimulatorServer {
  /** Base URL with the real port (also when started on port 0), e.g. `http://127.0.0.1:41234`. */
  url: string
  port: number
  sim: Simulator
  /** Releases hanging requests and closes the listener and its connections. */
  stop(): void
}

/** Starts listening at once; `port: 0` picks a free port, reported in `url`; `dataDir` persists batches there. */
export function startSimulatorServer(opts: { host: string; port: number; now?: () => number; batchLimits?: SimulatorOptions['batchLimits']; dataDir?: string }): SimulatorServer {
  const sim = createSimulator({ upstreamPrefix: '', now: opts.now, batchLimits: opts.batchLimits, dataDir: opts.dataDir })
  // idleTimeout 0: a request held open by `timeout_rate` must hang until the client gives up,
  // not be cut by the server's idle timer (which the client would see as a network error).
  const server = Bun.serve({ hostname: opts.host, port: opts.port, idleTimeout: 0, fetch: (request) => sim.handle(request) })
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host
  const port = server.port ?? opts.port
  return {
    url: `http://${host}:${port}`,
    port,
    sim,
    stop() {
      server.stop(true)
      sim.close()
    },
  }
}
