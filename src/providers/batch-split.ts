/**
 * Splitting a lane's entries into provider batches: one model (and one endpoint) per provider
 * batch (research §A.4), at most `maxRequests` entries and `maxBytes` serialized bytes each.
 * Pure: sizes come from the adapter's `encode`.
 */
import type { BatchEntry, BatchLimits } from './types'

export interface SizedEntry {
  entry: BatchEntry
  bytes: number
}

export interface SplitPlan {
  /** Provider batches in input order of their first entry; each within the limits. */
  chunks: BatchEntry[][]
  /** Entries that alone exceed `maxBytes`: no provider batch can hold them. */
  oversized: BatchEntry[]
}

/**
 * Groups entries by model × url, then cuts each group greedily in input order. `separatorBytes`
 * is what joining two entries costs (a newline in JSONL, a comma in a JSON array).
 */
export function splitEntries(entries: readonly SizedEntry[], limits: BatchLimits, separatorBytes = 1): SplitPlan {
  const groups = new Map<string, SizedEntry[]>()
  for (const e of entries) {
    const key = `${e.entry.request.model}\u0000${targetUrl(e.entry.request.url)}`
    let group = groups.get(key)
    if (!group) groups.set(key, (group = []))
    group.push(e)
  }
  const chunks: BatchEntry[][] = []
  const oversized: BatchEntry[] = []
  for (const group of groups.values()) {
    let current: BatchEntry[] = []
    let bytes = 0
    for (const e of group) {
      if (e.bytes > limits.maxBytes) {
        oversized.push(e.entry)
        continue
      }
      const added = current.length === 0 ? e.bytes : e.bytes + separatorBytes
      if (current.length >= limits.maxRequests || bytes + added > limits.maxBytes) {
        chunks.push(current)
        current = []
        bytes = 0
      }
      bytes += current.length === 0 ? e.bytes : e.bytes + separatorBytes
      current.push(e.entry)
    }
    if (current.length > 0) chunks.push(current)
  }
  return { chunks, oversized }
}

/** The upstream endpoint a request runs on: `/v1/responses` items are executed as chat completions. */
export function targetUrl(url: string): '/v1/chat/completions' | '/v1/embeddings' {
  return url.replace(/\/+$/, '') === '/v1/embeddings' ? '/v1/embeddings' : '/v1/chat/completions'
}
