/** splitEntries: one model and endpoint per provider batch, within the request and byte limits. */
import { describe, expect, it } from 'bun:test'
import { splitEntries, targetUrl, type SizedEntry } from '../../src/providers/batch-split'

const sized = (id: string, bytes: number, model = 'm', url = '/v1/chat/completions'): SizedEntry => ({ entry: { customId: id, request: { itemId: id, operation: 'responses', url, model, body: {} } }, bytes })
const ids = (chunks: { customId: string }[][]) => chunks.map((c) => c.map((e) => e.customId))

describe('splitEntries', () => {
  const cases: Array<[string, SizedEntry[], { maxRequests: number; maxBytes: number }, string[][], string[]]> = [
    ['fits in one batch', [sized('a', 10), sized('b', 10)], { maxRequests: 5, maxBytes: 100 }, [['a', 'b']], []],
    ['cut by request count', ['a', 'b', 'c', 'd', 'e'].map((id) => sized(id, 1)), { maxRequests: 2, maxBytes: 100 }, [['a', 'b'], ['c', 'd'], ['e']], []],
    ['cut by bytes (a separator byte between entries)', [sized('a', 40), sized('b', 40), sized('c', 40)], { maxRequests: 10, maxBytes: 81 }, [['a', 'b'], ['c']], []],
    ['exactly at the byte limit without the separator is too much', [sized('a', 40), sized('b', 40)], { maxRequests: 10, maxBytes: 80 }, [['a'], ['b']], []],
    ['one model per batch', [sized('a', 1, 'm1'), sized('b', 1, 'm2'), sized('c', 1, 'm1')], { maxRequests: 10, maxBytes: 100 }, [['a', 'c'], ['b']], []],
    ['one endpoint per batch (responses run as chat)', [sized('a', 1, 'm', '/v1/responses'), sized('b', 1, 'm', '/v1/chat/completions'), sized('c', 1, 'm', '/v1/embeddings')], { maxRequests: 10, maxBytes: 100 }, [['a', 'b'], ['c']], []],
    ['an entry larger than a whole batch is set aside', [sized('a', 10), sized('huge', 500), sized('b', 10)], { maxRequests: 10, maxBytes: 100 }, [['a', 'b']], ['huge']],
  ]
  for (const [name, entries, limits, chunks, oversized] of cases) {
    it(name, () => {
      const plan = splitEntries(entries, limits)
      expect(ids(plan.chunks)).toEqual(chunks)
      expect(plan.oversized.map((e) => e.customId)).toEqual(oversized)
    })
  }

  it('keeps every entry exactly once across 50,001 requests at the OpenAI limit', () => {
    const many = Array.from({ length: 50_001 }, (_, i) => sized(`r${i}`, 100))
    const plan = splitEntries(many, { maxRequests: 50_000, maxBytes: 200 * 1024 * 1024 })
    expect(plan.chunks.map((c) => c.length)).toEqual([50_000, 1])
  })

  it('targetUrl', () => {
    expect(targetUrl('/v1/responses')).toBe('/v1/chat/completions')
    expect(targetUrl('/v1/embeddings/')).toBe('/v1/embeddings')
  })
})
