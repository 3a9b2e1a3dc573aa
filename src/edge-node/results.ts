/**
 * Results waiting to be pushed, per lease: buffered as calls finish and sent in small groups
 * (a full group at once, the rest after a short pause so that neighbours share a request). Sending
 * is idempotent on the router, so a group whose answer was lost is simply sent again.
 */
import type { ItemOutcome } from '../providers/types'

/** One result as the router takes it (contract §11). */
export interface NodeResult {
  item_id: string
  attempt: number
  status: 'completed' | 'failed'
  response?: Record<string, unknown>
  usage?: { input_tokens: number; output_tokens: number }
  error?: { code: string; message: string; retryable: boolean }
  latency_ms: number
}

/** The upstream's outcome as the result the node reports. */
export function toResult(outcome: ItemOutcome, attempt: number, latencyMs: number): NodeResult {
  if (outcome.ok) return { item_id: outcome.itemId, attempt, status: 'completed', response: outcome.output, usage: { input_tokens: outcome.usage.inputTokens, output_tokens: outcome.usage.outputTokens }, latency_ms: latencyMs }
  return { item_id: outcome.itemId, attempt, status: 'failed', error: { code: outcome.error.kind, message: outcome.error.message, retryable: outcome.error.retryable }, latency_ms: latencyMs }
}

/** Buffered results per lease id. */
export class ResultBuffer {
  private readonly byLease = new Map<string, NodeResult[]>()
  private count = 0

  add(leaseId: string, result: NodeResult): void {
    const list = this.byLease.get(leaseId) ?? []
    list.push(result)
    this.byLease.set(leaseId, list)
    this.count++
  }

  get size(): number {
    return this.count
  }

  /** Takes up to `max` results of one lease (the fullest first); null when empty. */
  take(max: number): { leaseId: string; results: NodeResult[] } | null {
    let best: [string, NodeResult[]] | null = null
    for (const entry of this.byLease) if (!best || entry[1].length > best[1].length) best = entry
    if (!best) return null
    const [leaseId, list] = best
    const results = list.splice(0, max)
    if (list.length === 0) this.byLease.delete(leaseId)
    this.count -= results.length
    return { leaseId, results }
  }

  /** Puts results back (their push failed; they go again later). */
  putBack(leaseId: string, results: NodeResult[]): void {
    for (const r of results) this.add(leaseId, r)
  }
}
