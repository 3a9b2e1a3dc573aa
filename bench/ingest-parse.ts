/**
 * Ingest throughput against its bare limit, in one run: generates a ~200 MB / 50,000-line JSONL
 * (mixed native and OpenAI lines, some multi-byte text) in a temp dir, then times
 * `ingestJsonlFile` and a bare line-by-line `JSON.parse` of the same file, alternating, and
 * prints the medians, their ratio, and the longest event-loop stall seen during ingest.
 *
 *   bun bench/ingest-parse.ts [lines=50000] [bytes=200000000] [runs=3]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildCatalog } from '../src/features/catalog/build'
import { ingestJsonlFile } from '../src/features/items'
import { bareParse } from './bare-parse'

const lines = Number(process.argv[2] ?? 50_000)
const targetBytes = Number(process.argv[3] ?? 200_000_000)
const runs = Number(process.argv[4] ?? 3)

const WORDS = ['the', 'batch', 'router', 'quotes', 'lanes', 'and', 'tokens', 'für', 'café', 'naïve', '東京', 'data', 'model', 'prompt', '😀', 'summarise', 'this', 'text']

function filler(n: number, seed: number): string {
  let out = ''
  let i = seed
  while (out.length < n) out += WORDS[(i = (i * 1103515245 + 12345) % 2147483648) % WORDS.length] + ' '
  return out
}

function makeLine(i: number, textChars: number): string {
  const text = filler(textChars, i)
  if (i % 4 === 3) {
    return JSON.stringify({ custom_id: `req-${i}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: text }], max_tokens: 256 } })
  }
  return JSON.stringify({ customer_item_id: `item-${i}`, operation: 'responses', model: i % 2 ? 'claude-haiku-4-5' : 'gpt-4o-mini', input: { messages: [{ role: 'user', content: text }], temperature: 0.2 } })
}

async function generate(path: string): Promise<number> {
  const perLine = Math.floor(targetBytes / lines)
  const sink = Bun.file(path).writer()
  let bytes = 0
  for (let i = 0; i < lines; i++) {
    // Size the text so the line lands near perLine bytes (multi-byte words make bytes > chars).
    const line = makeLine(i, Math.floor(perLine * 0.85)) + '\n'
    sink.write(line)
    bytes += Buffer.byteLength(line)
  }
  await sink.end()
  return bytes
}


const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const dir = mkdtempSync(join(tmpdir(), 'br-bench-'))
try {
  const path = join(dir, 'input.jsonl')
  const bytes = await generate(path)
  const catalog = buildCatalog()
  const mb = bytes / 1e6
  console.log(`file: ${lines} lines, ${mb.toFixed(1)} MB`)
  const ingestMs: number[] = []
  const bareMs: number[] = []
  let rss = 0
  let maxStall = 0 // longest gap between 1 ms timer ticks while ingest runs
  for (let r = 0; r < runs; r++) {
    let t = performance.now()
    const n = await bareParse(path)
    bareMs.push(performance.now() - t)
    let last = performance.now()
    const timer = setInterval(() => {
      const now = performance.now()
      maxStall = Math.max(maxStall, now - last)
      last = now
    }, 1)
    t = performance.now()
    const result = await ingestJsonlFile(path, { catalog, maxItems: 50_000, lineBytes: 4 * 1024 * 1024 })
    ingestMs.push(performance.now() - t)
    clearInterval(timer)
    rss = Math.max(rss, process.memoryUsage().rss)
    if (result.problemCount !== 0 || result.items.length !== n) throw new Error(`unexpected: ${result.problemCount} problems, ${result.items.length} items vs ${n} lines: ${JSON.stringify(result.problems.slice(0, 3))}`)
  }
  const bare = median(bareMs)
  const ingest = median(ingestMs)
  console.log(`bare JSON.parse : ${bare.toFixed(0)} ms  ${(mb / (bare / 1000)).toFixed(0)} MB/s  (runs: ${bareMs.map((x) => x.toFixed(0)).join(', ')})`)
  console.log(`ingestJsonlFile : ${ingest.toFixed(0)} ms  ${(mb / (ingest / 1000)).toFixed(0)} MB/s  (runs: ${ingestMs.map((x) => x.toFixed(0)).join(', ')})`)
  console.log(`ratio ingest/bare throughput: ${(bare / ingest).toFixed(2)}   peak RSS ${(rss / 1e6).toFixed(0)} MB   longest event-loop stall during ingest ${maxStall.toFixed(1)} ms`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
