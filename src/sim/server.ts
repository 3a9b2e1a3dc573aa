/** Placeholder until the simulator lands: serves nothing but its control surface. */
export function startSimulatorServer(opts: { host: string; port: number }): { url: string; stop(): void } {
  const server = Bun.serve({ hostname: opts.host, port: opts.port, fetch: () => new Response('not yet', { status: 404 }) })
  return { url: `http://${opts.host}:${server.port}`, stop: () => server.stop(true) }
}
