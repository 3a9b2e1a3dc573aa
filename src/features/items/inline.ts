/**
 * Inline items (`items: [...]` in a create or quote body) are written to a JSONL file first, so
 * inline and file inputs share one ingest and one dispatch path (design §3).
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBase62 } from '../../lib/ids'

/**
 * Writes one `JSON.stringify(item)` per line, each '\n'-terminated, to a new file in `dir`
 * (created if missing). Returns its path and size in bytes; the caller owns (and removes) it.
 */
export async function writeInlineItemsFile(dir: string, items: unknown[]): Promise<{ path: string; bytes: number }> {
  await mkdir(dir, { recursive: true })
  const path = join(dir, `inline-${randomBase62(16)}.jsonl`)
  const sink = Bun.file(path).writer()
  let bytes = 0
  for (const item of items) {
    // `undefined` has no JSON form; write `null` so the line exists and fails preflight by number.
    const line = `${JSON.stringify(item) ?? 'null'}\n`
    sink.write(line)
    bytes += Buffer.byteLength(line)
  }
  await sink.end()
  return { path, bytes }
}
