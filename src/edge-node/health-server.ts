/** The node's own port: GET /healthz (process up), /readyz (joined, upstream ok, router answering; 503 otherwise), /metrics (Prometheus text). */
import type { EdgeNode } from './node'

/** Starts the health server on host:port (port 0 = any); returns it. */
export function startHealthServer(node: EdgeNode, host: string, port: number) {
  return Bun.serve({
    hostname: host,
    port,
    development: false,
    fetch(request) {
      const path = new URL(request.url).pathname
      if (request.method !== 'GET') return Response.json({ error: 'method not allowed' }, { status: 405 })
      if (path === '/healthz') return Response.json({ status: 'ok', node_id: node.nodeId })
      if (path === '/readyz') {
        const ready = node.ready
        return Response.json({ status: ready.ok ? 'ready' : 'not_ready', reason: ready.reason, node_id: node.nodeId }, { status: ready.ok ? 200 : 503 })
      }
      if (path === '/metrics') return new Response(node.metrics.render(), { headers: { 'content-type': 'text/plain; version=0.0.4' } })
      return Response.json({ error: 'not found: /healthz, /readyz and /metrics are served here' }, { status: 404 })
    },
  })
}
