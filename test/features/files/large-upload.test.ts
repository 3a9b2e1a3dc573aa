/**
 * A 150 MiB JSONL batch input through the OpenAI-style chunked multipart path, against a server
 * in a child process: the upload must succeed with the right sha256/bytes/line_count while the
 * server's resident memory grows by at most 64 MB. The peak is read from the kernel (VmHWM, reset
 * through /proc/<pid>/clear_refs after the baseline) and cross-checked by sampling VmRSS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { json } from '../../helpers/test-app'
import { multipartStream } from './helpers'

const LINES = 50_000
const LINE_BYTES = 3146 // 50,000 × 3,146 = 157,300,000 bytes ≈ 150 MiB
const LINES_PER_CHUNK = 32
const MAX_GROWTH_BYTES = 64 * 1024 * 1024

let child: ReturnType<typeof Bun.spawn<'pipe', 'pipe', 'inherit'>>
let server: { url: string; key: string; dataDir: string }

beforeAll(async () => {
  child = Bun.spawn(['bun', join(import.meta.dir, 'child-server.ts')], { stdin: 'pipe', stdout: 'pipe', stderr: 'inherit' })
  const reader = child.stdout.getReader()
  let text = ''
  while (!text.includes('\n')) {
    const { value, done } = await reader.read()
    if (done) throw new Error('child server exited before it was ready')
    text += new TextDecoder().decode(value)
  }
  reader.releaseLock()
  server = JSON.parse(text.split('\n')[0]!)
})
afterAll(async () => {
  child.kill('SIGTERM')
  await child.exited
})

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

describe('POST /v1/files — large upload', () => {
  it('streams a 150 MiB batch input with server RSS growth under 64 MB', async () => {
    const baseline = procKb('VmRSS')
    writeFileSync(`/proc/${child.pid}/clear_refs`, '5') // reset VmHWM to the current RSS
    let sampledPeak = baseline
    const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, procKb('VmRSS'))), 20)

    const hasher = new Bun.CryptoHasher('sha256')
    const { body, contentType } = multipartStream([
      { name: 'file', filename: 'big.jsonl', contentType: 'application/octet-stream', chunks: jsonlChunks(hasher) },
      { name: 'purpose', value: 'batch' },
    ])
    const started = performance.now()
    const res = await json(fetch(`${server.url}/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${server.key}`, 'content-type': contentType }, body, duplex: 'half' } as RequestInit))
    const seconds = (performance.now() - started) / 1000
    clearInterval(sampler)
    const peak = Math.max(procKb('VmHWM'), sampledPeak)

    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ bytes: LINES * LINE_BYTES, line_count: LINES, sha256: hasher.digest('hex'), content_type: 'application/jsonl', purpose: 'batch' })
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1)
    console.log(`150 MiB upload: ${seconds.toFixed(2)} s; server RSS baseline ${mb(baseline)} MiB, peak ${mb(peak)} MiB (VmHWM ${mb(procKb('VmHWM'))}, sampled ${mb(sampledPeak)}), growth ${mb(peak - baseline)} MiB`)
    expect(peak - baseline).toBeLessThanOrEqual(MAX_GROWTH_BYTES)
  })
})
