import { JsonlChecker } from '../src/features/files/jsonl-check'
const MODE = process.env.MODE ?? 'none'
let maxLag = 0, last = performance.now()
setInterval(() => { const n = performance.now(); maxLag = Math.max(maxLag, n - last - 5); last = n }, 5)
const server = Bun.serve({ port: 0, maxRequestBodySize: 300e6, async fetch(req) {
  maxLag = 0
  const sink = MODE.includes('sink') ? Bun.file('/tmp/exp/out.bin').writer() : null
  const checker = new JsonlChecker({ maxLines: 100000, lineBytes: 4e6 })
  const hasher = new Bun.CryptoHasher('sha256')
  let n = 0, worst = 0
  for await (const c of req.body as any as AsyncIterable<Uint8Array>) {
    const t0 = performance.now()
    n += c.length
    if (MODE.includes('hash')) hasher.update(c)
    if (MODE.includes('check')) checker.push(c)
    if (sink) { sink.write(c); await sink.flush() }
    worst = Math.max(worst, performance.now() - t0)
  }
  await sink?.end()
  return Response.json({ n, lag: maxLag.toFixed(1), worstChunkMs: worst.toFixed(1) })
}})
console.log(JSON.stringify({ url: `http://127.0.0.1:${server.port}` }))
