/**
 * A 150 MiB JSONL batch input through the OpenAI-style chunked multipart path, against a server
 * in a child process: the upload must succeed with the right sha256/bytes/line_count while the
 * server's resident memory grows by at most 64 MB. The peak is read from the kernel (VmHWM, reset
 * through /proc/<pid>/clear_refs after the baseline) and cross-checked by sampling VmRSS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { json } from '../../helpers/test-app'
import { multipartStream } from './helpers'

const LINES = 50_000
const LINE_BYTES = 3146 // 50,000 × 3,146 = 157,300,000 bytes ≈ 150 MiB
const LINES_PER_CHUNK = 32
const MAX_GROWTH_BYTES = 64 * 1024 * 1024
/** bunfig's [test] timeout is not applied by this Bun, so the slow tests say theirs. */
const TIMEOUT_MS = 120_000

let child: ReturnType<typeof Bun.spawn<'pipe', 'pipe', 'inherit'>>
let server: { url: string; key: string; dataDir: string }
/** The child's next stdout line (set up in beforeAll, where the reader's type is inferred). */
let childLine: () => Promise<string>

beforeAll(async () => {
  child = Bun.spawn([process.execPath, join(import.meta.dir, 'child-server.ts')], { stdin: 'pipe', stdout: 'pipe', stderr: 'inherit' })
  const reader = child.stdout.getReader()
  let pending = ''
  childLine = async () => {
    while (!pending.includes('\n')) {
      const { value, done } = await reader.read()
      if (done) throw new Error('child server exited')
      pending += new TextDecoder().decode(value)
    }
    const at = pending.indexOf('\n')
    const line = pending.slice(0, at)
    pending = pending.slice(at + 1)
    return line
  }
  server = JSON.parse(await childLine())
})
afterAll(async () => {
  child.kill('SIGTERM')
  await child.exited
})

/** Full garbage collection in the server process, so the baseline is its settled size. */
async function collectServerGarbage(): Promise<void> {
  child.stdin.write('gc\n')
  child.stdin.flush()
  expect(await childLine()).toBe('gc done')
}

/** The server's longest event-loop stall (ms) since the previous call. */
async function serverLagMs(): Promise<number> {
  child.stdin.write('lag\n')
  child.stdin.flush()
  return Number((await childLine()).replace('lag ', ''))
}

/** Bytes of a `VmRSS:`/`VmHWM:` line of /proc/<pid>/status. */
function procKb(field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync(`/proc/${child.pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`))!
  return Number(/(\d+)/.exec(line)![1]) * 1024
}

/** The JSONL lines, generated chunk by chunk (never held whole), hashed on the way. */
function jsonlChunks(hasher: Bun.CryptoHasher): () => AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder()
  return async function* () {
    for (let first = 0; first < LINES; first += LINES_PER_CHUNK) {
      let text = ''
      for (let i = first; i < Math.min(first + LINES_PER_CHUNK, LINES); i++) {
        const head = `{"custom_id":"req-${String(i).padStart(6, '0')}","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"`
        const tail = '"}]}}\n'
        text += head + 'x'.repeat(LINE_BYTES - head.length - tail.length) + tail
      }
      const chunk = encoder.encode(text)
      hasher.update(chunk)
      yield chunk
    }
  }
}

/** Runs `send` while watching the child's memory; returns its response and the RSS growth in bytes. */
async function measure(send: () => Promise<Response>): Promise<{ status: number; body: any; growth: number; summary: string }> {
  await collectServerGarbage()
  await serverLagMs()
  const baseline = procKb('VmRSS')
  let hwmReset = true
  try {
    writeFileSync(`/proc/${child.pid}/clear_refs`, '5') // resets VmHWM to the current RSS
  } catch {
    hwmReset = false // then only the sampled figure is meaningful
  }
  let sampledPeak = baseline
  const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, procKb('VmRSS'))), 20)
  const started = performance.now()
  const res = await json(send())
  const seconds = (performance.now() - started) / 1000
  clearInterval(sampler)
  const peak = Math.max(hwmReset ? procKb('VmHWM') : 0, sampledPeak)
  const lag = await serverLagMs()
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1)
  const summary = `${seconds.toFixed(2)} s; server RSS baseline ${mb(baseline)} MiB, peak ${mb(peak)} MiB (${hwmReset ? 'VmHWM' : 'sampled only'}), growth ${mb(peak - baseline)} MiB; longest server event-loop stall ${lag.toFixed(1)} ms`
  return { ...res, growth: peak - baseline, summary }
}

const ON_LINUX = existsSync('/proc/self/status')

describe('POST /v1/files — large upload', () => {
  it.skipIf(!ON_LINUX)('streams a 150 MiB batch input as chunked multipart with server RSS growth ≤ 64 MB', async () => {
    const hasher = new Bun.CryptoHasher('sha256')
    const { body, contentType } = multipartStream([
      { name: 'file', filename: 'big.jsonl', contentType: 'application/octet-stream', chunks: jsonlChunks(hasher) },
      { name: 'purpose', value: 'batch' },
    ])
    const res = await measure(() => fetch(`${server.url}/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${server.key}`, 'content-type': contentType }, body, duplex: 'half' } as RequestInit))
    console.log(`150 MiB multipart upload: ${res.summary}`)
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ bytes: LINES * LINE_BYTES, line_count: LINES, sha256: hasher.digest('hex'), content_type: 'application/jsonl', purpose: 'batch' })
    expect(res.growth).toBeLessThanOrEqual(MAX_GROWTH_BYTES)
  }, TIMEOUT_MS)

  it.skipIf(!ON_LINUX)('streams a 150 MiB raw body with Content-Length with server RSS growth ≤ 64 MB', async () => {
    const hasher = new Bun.CryptoHasher('sha256')
    const chunks = jsonlChunks(hasher)()
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await chunks.next()
        if (next.done) controller.close()
        else controller.enqueue(next.value)
      },
    })
    // Content-Type application/jsonl: the 64 MiB cap on JSON request bodies must not apply to
    // JSONL uploads, which stream to disk.
    const headers = { authorization: `Bearer ${server.key}`, 'content-type': 'application/jsonl', 'content-length': String(LINES * LINE_BYTES), 'x-batchrouter-filename': 'big.jsonl' }
    const res = await measure(() => fetch(`${server.url}/v1/files`, { method: 'POST', headers, body, duplex: 'half' } as RequestInit))
    console.log(`150 MiB raw upload: ${res.summary}`)
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ bytes: LINES * LINE_BYTES, line_count: LINES, sha256: hasher.digest('hex'), content_type: 'application/jsonl', purpose: 'batch' })
    expect(res.growth).toBeLessThanOrEqual(MAX_GROWTH_BYTES)
  }, TIMEOUT_MS)
})
