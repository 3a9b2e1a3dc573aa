import { open } from 'node:fs/promises'
import { parseMultipart, boundaryOf } from '../src/features/files/multipart-parser'
import { JsonlChecker } from '../src/features/files/jsonl-check'
const MODE = process.env.MODE ?? 'A'
const server = Bun.serve({ port: 0, maxRequestBodySize: 300e6, async fetch(req) {
  let n = 0
  const fh = MODE >= 'B' ? await open('/tmp/exp/out.bin', 'w') : null
  const hasher = new Bun.CryptoHasher('sha256')
  const checker = new JsonlChecker({ maxLines: 100000, lineBytes: 4e6 })
  const src = req.body as any as AsyncIterable<Uint8Array>
  const it = MODE >= 'C' ? (async function* () { for await (const e of parseMultipart(src, boundaryOf(req.headers.get('content-type')!))) if (e.kind === 'data') yield e.chunk })() : src
  let maxChunk = 0, chunks = 0
  for await (const c of it) {
    n += c.length; chunks++; maxChunk = Math.max(maxChunk, c.length)
    if (MODE >= 'D') hasher.update(c)
    if (MODE >= 'E') checker.push(c)
    if (fh) await fh.write(c)
  }
  await fh?.close()
  return Response.json({ n, chunks, maxChunk, lines: checker.lineCount })
}})
Bun.gc(true)
console.log(JSON.stringify({ url: `http://127.0.0.1:${server.port}` }))
