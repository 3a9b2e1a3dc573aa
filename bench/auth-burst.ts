/**
 * Request limits under a burst, against the router as a child process with its default limits
 * (per key 6,000 and per org 12,000 requests a minute, 300 failed authentications a minute per
 * address):
 *
 * 1. a valid key sends N_VALID requests as fast as it can — how many pass, how many get 429;
 * 2. N_BAD requests with N_BAD different made-up keys — how many 401s before the address is
 *    limited, how many 429s, and whether a valid key from the same address is then refused too.
 *
 *   bun bench/auth-burst.ts [bad=5000] [valid=7000] [concurrency=50]
 */
import { registerOrg, removeDir, startServerProcess, tempDir } from '../test/helpers/process'

const N_BAD = Number(process.argv[2] ?? 5000)
const N_VALID = Number(process.argv[3] ?? 7000)
const CONCURRENCY = Number(process.argv[4] ?? 50)

/** Sends `n` requests made by `make(i)` with CONCURRENCY in flight; returns status counts and the rate. */
async function burst(n: number, make: (i: number) => Request): Promise<{ counts: Record<number, number>; perSecond: number }> {
  const counts: Record<number, number> = {}
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        const res = await fetch(make(next++))
        await res.arrayBuffer()
        counts[res.status] = (counts[res.status] ?? 0) + 1
      }
    }),
  )
  return { counts, perSecond: Math.round(n / ((performance.now() - started) / 1000)) }
}

const dataDir = tempDir('br-bench-burst-')
const server = await startServerProcess({ dataDir, config: { registration: 'open' } })
try {
  const org = await registerOrg(server.url)
  const valid = await burst(N_VALID, () => new Request(`${server.url}/v1/auth/account`, { headers: { authorization: `Bearer ${org.key}` } }))
  console.log(`valid key, ${N_VALID} requests: ${JSON.stringify(valid.counts)} at ${valid.perSecond} req/s`)
  const bad = await burst(N_BAD, (i) => new Request(`${server.url}/v1/batches`, { headers: { authorization: `Bearer br_live_${String(i).padStart(40, 'x')}` } }))
  console.log(`${N_BAD} different bad keys: ${JSON.stringify(bad.counts)} at ${bad.perSecond} req/s`)
  const after = await fetch(`${server.url}/v1/auth/account`, { headers: { authorization: `Bearer ${org.key}` } })
  console.log(`a valid key from the same address right after: ${after.status} (retry-after ${after.headers.get('retry-after')} s)`)
} finally {
  await server.stop()
  removeDir(dataDir)
}
