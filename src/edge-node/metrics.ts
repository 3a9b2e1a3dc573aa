/** The node's counters and its Prometheus text for GET /metrics on its own port. */

/** What the node counts (monotonic unless named as a gauge). */
export class EdgeMetrics {
  itemsCompleted = 0
  itemsFailed = 0
  leases = 0
  leasedItems = 0
  resultPosts = 0
  routerErrors = 0
  /** Time spent waiting for lease answers and result pushes (ms), for the average round trip. */
  leaseMs = 0
  resultPostMs = 0
  /** Gauges. */
  inFlight = 0
  upstreamUp = 1
  routerUp = 0

  render(): string {
    const lines = [
      ['batchrouter_edge_items_total', 'counter', 'Items the node finished, by outcome.', [`{outcome="completed"} ${this.itemsCompleted}`, `{outcome="failed"} ${this.itemsFailed}`]],
      ['batchrouter_edge_leases_total', 'counter', 'Non-empty leases taken from the router.', [` ${this.leases}`]],
      ['batchrouter_edge_leased_items_total', 'counter', 'Items received in leases.', [` ${this.leasedItems}`]],
      ['batchrouter_edge_result_posts_total', 'counter', 'Result groups pushed to the router.', [` ${this.resultPosts}`]],
      ['batchrouter_edge_lease_seconds_total', 'counter', 'Time spent in lease requests (long polls included).', [` ${(this.leaseMs / 1000).toFixed(3)}`]],
      ['batchrouter_edge_result_post_seconds_total', 'counter', 'Time spent pushing results.', [` ${(this.resultPostMs / 1000).toFixed(3)}`]],
      ['batchrouter_edge_router_errors_total', 'counter', 'Router calls that failed (unreachable, 5xx, 429).', [` ${this.routerErrors}`]],
      ['batchrouter_edge_in_flight', 'gauge', 'Upstream calls in flight.', [` ${this.inFlight}`]],
      ['batchrouter_edge_upstream_up', 'gauge', '1 while the upstream answers its health probe.', [` ${this.upstreamUp}`]],
      ['batchrouter_edge_router_up', 'gauge', '1 while the router answers.', [` ${this.routerUp}`]],
    ] as const
    return lines.map(([name, type, help, samples]) => [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples.map((s) => `${name}${s}`)].join('\n')).join('\n') + '\n'
  }
}
