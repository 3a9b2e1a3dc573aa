/**
 * Reads item lines back from the input file at dispatch. One file handle, positional reads;
 * ranges close together in the file (the usual case: a lane's items in input order) are read
 * with one `read` and sliced.
 */
import { open } from 'node:fs/promises'
import { stripBom } from '../../lib/jsonl'

/** Ranges are merged into one read while the span stays under this… */
const MAX_SPAN_BYTES = 4 * 1024 * 1024
/** …and the gap between them under this. */
const MAX_GAP_BYTES = 64 * 1024

interface Range {
  offset: number
  length: number
}

/**
 * The parsed JSON of each line, in the order of `ranges`. Throws when a range lies outside the
 * file or does not hold a JSON value (the file changed since ingest).
 */
export async function readItemLines(path: string, ranges: Range[]): Promise<unknown[]> {
  const out = new Array<unknown>(ranges.length)
  if (ranges.length === 0) return out
  const order = ranges.map((_, i) => i).sort((a, b) => ranges[a]!.offset - ranges[b]!.offset)
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
  const handle = await open(path, 'r')
  try {
    let i = 0
    while (i < order.length) {
      // Group sorted ranges into one span.
      const first = ranges[order[i]!]!
      let end = first.offset + first.length
      let j = i + 1
      while (j < order.length) {
        const next = ranges[order[j]!]!
        const nextEnd = Math.max(end, next.offset + next.length)
        if (next.offset - end > MAX_GAP_BYTES || nextEnd - first.offset > MAX_SPAN_BYTES) break
        end = nextEnd
        j++
      }
      const span = Buffer.allocUnsafe(end - first.offset)
      const { bytesRead } = await handle.read(span, 0, span.length, first.offset)
      if (bytesRead < span.length) throw new Error(`readItemLines: ${path} ends before byte ${end}`)
      for (let k = i; k < j; k++) {
        const index = order[k]!
        const r = ranges[index]!
        const text = decoder.decode(span.subarray(r.offset - first.offset, r.offset - first.offset + r.length))
        out[index] = JSON.parse(r.offset === 0 ? stripBom(text) : text)
      }
      i = j
    }
  } finally {
    await handle.close()
  }
  return out
}
