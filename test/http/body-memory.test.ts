/**
 * Hostile bodies cost the server nothing (issue 13 item 2): 150 MB chunked bodies of several
 * content types, unauthenticated and authenticated, sent to JSON routes of a server in a child
 * process with its default limits. Each is refused (401, 415 or 413 at the 16 MiB JSON cap) within
 * 1 s of the refusal point, and the server's peak resident memory (VmHWM, reset through
 * /proc/<pid>/clear_refs after a settled baseline) grows by at most 64 MB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { sendRaw, type RawResponse } from '../helpers/raw-http'

const BODY_BYTES = 150 * 1024 * 1024
const JSON_CAP = 16 * 1024 * 1024 // the default limits.jsonBodyBytes
const MAX_GROWTH_BYTES = 64 * 1024 * 1024
const MAX_ANSWER_MS = 1000
const TIMEOUT_MS = 120_000
const ON_LINUX = existsSync('/proc/self/status')

let child: ReturnType<typeof Bun.spawn<'pipe', 'pipe', 'inherit'>>
let server: { url: string; key: string }
let childLine: () => Promise<string>

beforeAll(async () => {
  child = Bun.spawn([process.execPath, join(import.meta.dir, '../features/files/child-server.ts')], { stdin: 'pipe', stdout: 'pipe', stderr: 'inherit' })
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

function procBytes(field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync(`/proc/${child.pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`))!
  return Number(/(\d+)/.exec(line)![1]) * 1024
}

/** Runs `send` after a full GC in the server; returns the answers and the server's peak RSS growth. */
async function measure<T>(send: () => Promise<T>): Promise<{ result: T; growth: number; baseline: number; peak: number }> {
  child.stdin.write('gc\n')
  child.stdin.flush()
  expect(await childLine()).toBe('gc done')
  const baseline = procBytes('VmRSS')
  writeFileSync(`/proc/${child.pid}/clear_refs`, '5') // VmHWM := current RSS
  let sampled = baseline
  const sampler = setInterval(() => (sampled = Math.max(sampled, procBytes('VmRSS'))), 10)
  const result = await send()
  clearInterval(sampler)
  const peak = Math.max(procBytes('VmHWM'), sampled)
  return { result, growth: peak - baseline, baseline, peak }
}

const mb = (n: number) => (n / 1024 / 1024).toFixed(1)
const figures: string[] = []

const TYPES = ['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream']
const ROUTES: [string, string][] = [['POST', '/v1/batches'], ['POST', '/v1/quotes/model'], ['PUT', '/v1/auth/account/delivery-webhook'], ['POST', '/v1/admin/orgs']]

function expectRefused(res: RawResponse, status: number, code: string) {
  expect(res.status).toBe(status)
  expect(JSON.parse(res.body).error.code).toBe(code)
  expect(res.answeredAfterMs).toBeLessThanOrEqual(MAX_ANSWER_MS)
}

describe('150 MB chunked bodies to JSON routes (server in a child process)', () => {
  it.skipIf(!ON_LINUX)('unauthenticated: 401 before reading, every type and route, four at once too; RSS growth ≤ 64 MB', async () => {
    for (const [method, path] of [...ROUTES, ['POST', '/v1/files'] as [string, string]]) {
      for (const type of TYPES) {
        const { result: res, growth } = await measure(() => sendRaw(server.url, method, path, { 'content-type': type }, { totalBytes: BODY_BYTES }))
        expectRefused(res, 401, 'unauthorized')
        expect(growth).toBeLessThanOrEqual(MAX_GROWTH_BYTES)
        figures.push(`unauthenticated ${method} ${path} ${type.split(';')[0]}: 401 after ${res.answeredAfterMs.toFixed(0)} ms, ${mb(res.sentBeforeAnswer)} MB sent first, RSS growth ${mb(growth)} MiB`)
      }
    }
    const parallel = await measure(() => Promise.all(ROUTES.map(([method, path]) => sendRaw(server.url, method, path, { 'content-type': 'application/json' }, { totalBytes: BODY_BYTES }))))
    for (const res of parallel.result) expectRefused(res, 401, 'unauthorized')
    expect(parallel.growth).toBeLessThanOrEqual(MAX_GROWTH_BYTES)
    figures.push(`unauthenticated, 4 in parallel: RSS ${mb(parallel.baseline)} → ${mb(parallel.peak)} MiB (growth ${mb(parallel.growth)} MiB)`)
  }, TIMEOUT_MS)

  it.skipIf(!ON_LINUX)('authenticated: 413 once a JSON body passes the 16 MiB cap, 415 at once for other types; RSS growth ≤ 64 MB', async () => {
    const auth = { authorization: `Bearer ${server.key}`, 'idempotency-key': 'memory-test-0001' }
    for (const [method, path] of ROUTES.filter(([, p]) => !p.startsWith('/v1/admin'))) {
      for (const type of TYPES) {
        const json = type === 'application/json'
        const { result: res, growth, baseline, peak } = await measure(() => sendRaw(server.url, method, path, { ...auth, 'content-type': type }, { totalBytes: BODY_BYTES }, json ? JSON_CAP : 0))
        if (json) expectRefused(res, 413, 'payload_too_large')
        else expectRefused(res, 415, 'unsupported_media_type')
        expect(growth).toBeLessThanOrEqual(MAX_GROWTH_BYTES)
        figures.push(`authenticated ${method} ${path} ${type.split(';')[0]}: ${res.status} ${res.answeredAfterMs.toFixed(0)} ms after the refusal point, ${mb(res.sentBeforeAnswer)} MB sent first, RSS ${mb(baseline)} → ${mb(peak)} MiB (growth ${mb(growth)} MiB)`)
      }
    }
    const announced = await measure(() => sendRaw(server.url, 'POST', '/v1/batches', { ...auth, 'content-type': 'application/json' }, { totalBytes: BODY_BYTES, contentLength: BODY_BYTES }))
    expectRefused(announced.result, 413, 'payload_too_large')
    expect(announced.result.sentBeforeAnswer).toBeLessThan(JSON_CAP)
    expect(announced.growth).toBeLessThanOrEqual(MAX_GROWTH_BYTES)
    figures.push(`authenticated Content-Length 150 MB: 413 after ${announced.result.answeredAfterMs.toFixed(0)} ms, growth ${mb(announced.growth)} MiB`)
    console.log(figures.join('\n'))
  }, TIMEOUT_MS)
})
