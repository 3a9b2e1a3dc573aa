/** The bare baseline both ingest benchmarks compare against, measured in the same run. */

/** The bare limit: stream, decode, split on '\n', JSON.parse each line. */
export async function bareParse(path: string): Promise<number> {
  const decoder = new TextDecoder()
  let tail = ''
  let count = 0
  for await (const chunk of Bun.file(path).stream()) {
    const parts = (tail + decoder.decode(chunk, { stream: true })).split('\n')
    tail = parts.pop() ?? ''
    for (const p of parts) if (p.length > 0 && JSON.parse(p)) count++
  }
  if (tail.length > 0 && JSON.parse(tail)) count++
  return count
}
