/**
 * The simulator's batch dialects persist in the directory they are given: stopped and started
 * again on the same directory (in-process here; kill -9 with real processes in
 * restart-process.test.ts), a batch answers the same object, its turnaround continues on the
 * injected clock, its output is served byte for byte, a cancel still works, ids never repeat,
 * large files live on disk, and a reset clears the disk too. Driven by the official SDKs.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'bun:test'
import { Database } from 'bun:sqlite'
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI, { toFile } from 'openai'
import Anthropic from '@anthropic-ai/sdk'
import { FakeClock } from '../../src/lib/clock'
import { INLINE_FILE_BYTES } from '../../src/sim/file-store'
import { SIM_DB_FILE, SimDirLockedError } from '../../src/sim/sim-db'
import { startSimulatorServer, type SimulatorServer } from '../../src/sim/server'

const clock = new FakeClock(Date.parse('2026-03-01T00:00:00Z'))
const CLAUDE = 'claude-haiku-4-5-20251001'
const root = mkdtempSync(join(tmpdir(), 'br-sim-persist-'))
let dir: string
let sim: SimulatorServer
let port = 0

const openai = () => new OpenAI({ apiKey: 'sk-test', baseURL: `${sim.url}/v1`, maxRetries: 0 })
const anthropic = () => new Anthropic({ apiKey: 'sk-ant-test', baseURL: sim.url, maxRetries: 0 })
const scenario = (body: unknown) => fetch(`${sim.url}/_sim/scenario`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
const line = (id: string, text: string) => JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }], max_tokens: 40 } })
const request = (id: string, text: string) => ({ custom_id: id, params: { model: CLAUDE, max_tokens: 64, messages: [{ role: 'user' as const, content: text }] } })

function start(): void {
  sim = startSimulatorServer({ host: '127.0.0.1', port, now: () => clock.now(), dataDir: dir })
  port = sim.port
}

/** Stops the simulator and starts a new one on the same directory and port. */
function restart(): void {
  sim.stop()
  start()
}

async function upload(lines: string[]) {
  return openai().files.create({ file: await toFile(Buffer.from(lines.join('\n') + '\n'), 'input.jsonl'), purpose: 'batch' })
}

async function contentOf(fileId: string): Promise<string> {
  return (await openai().files.content(fileId)).text()
}

async function resultsOf(id: string): Promise<unknown[]> {
  const out: unknown[] = []
  for await (const r of await anthropic().messages.batches.results(id)) out.push(r)
  return out
}

async function failure(call: PromiseLike<unknown>): Promise<unknown> {
  try {
    await call
  } catch (err) {
    return err
  }
  throw new Error('expected the call to fail')
}

beforeEach(() => {
  dir = mkdtempSync(join(root, 'sim-'))
  port = 0
  start()
})
afterEach(() => sim.stop())
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('OpenAI Files + Batch across restarts', () => {
  it('a batch answers the same object after a restart, completes on the injected clock, and its files are served identically', async () => {
    await scenario({ global: { turnaround_s: 100 } })
    const input = await upload(['a', 'b', 'c', 'd'].map((id) => line(id, `text ${id}`)))
    const created = await openai().batches.create({ input_file_id: input.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { tag: 'persist' } })
    clock.advance(50_000)
    const before = await openai().batches.retrieve(created.id)
    expect(before).toMatchObject({ status: 'in_progress', request_counts: { total: 4 } })
    expect(before.request_counts!.completed).toBeGreaterThan(0)
    expect(before.request_counts!.completed).toBeLessThan(4)

    restart()
    expect(await openai().batches.retrieve(created.id)).toEqual(before)
    expect(await openai().files.retrieve(input.id)).toEqual(await openai().files.retrieve(input.id))
    expect(await contentOf(input.id)).toBe(['a', 'b', 'c', 'd'].map((id) => line(id, `text ${id}`)).join('\n') + '\n')

    clock.advance(50_000)
    const done = await openai().batches.retrieve(created.id)
    expect(done).toMatchObject({ status: 'completed', request_counts: { total: 4, completed: 4, failed: 0 }, metadata: { tag: 'persist' } })
    const output = await contentOf(done.output_file_id!)
    expect(output.trim().split('\n').map((l) => JSON.parse(l).custom_id)).toEqual(['a', 'b', 'c', 'd'])

    restart()
    expect(await openai().batches.retrieve(created.id)).toEqual(done)
    expect(await contentOf(done.output_file_id!)).toBe(output)
    const listed = await openai().batches.list()
    expect(listed.data.map((b) => b.id)).toEqual([created.id])
  })

  it('a cancel sent after a restart still works; the lines that ran before the restart keep their results', async () => {
    await scenario({ global: { turnaround_s: 10 } })
    const input = await upload(['c1', 'c2', 'c3'].map((id) => line(id, id)))
    const batch = await openai().batches.create({ input_file_id: input.id, endpoint: '/v1/chat/completions', completion_window: '24h' })
    clock.advance(4000)
    expect((await openai().batches.retrieve(batch.id)).request_counts).toEqual({ total: 3, completed: 1, failed: 0 })
    restart()
    expect((await openai().batches.cancel(batch.id)).status).toBe('cancelling')
    restart()
    const cancelled = await openai().batches.retrieve(batch.id)
    expect(cancelled).toMatchObject({ status: 'cancelled', request_counts: { total: 3, completed: 1, failed: 2 } })
    expect((await contentOf(cancelled.error_file_id!)).trim().split('\n').map((l) => JSON.parse(l).error.code)).toEqual(['batch_cancelled', 'batch_cancelled'])
  })

  it('response ids keep counting after a restart: the same request never gets the same id twice', async () => {
    const ask = () => openai().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'same' }] })
    const ids = [(await ask()).id, (await ask()).id]
    restart()
    ids.push((await ask()).id)
    restart()
    ids.push((await ask()).id)
    expect(new Set(ids).size).toBe(4)
  })

  it(`keeps files over ${INLINE_FILE_BYTES} bytes on disk, not in the database, and streams them back unchanged`, async () => {
    await scenario({ global: { turnaround_s: 0 } })
    // 200 lines of ~22 KB in, ~33 KB out (1536-dimension vectors): both files pass the inline limit.
    const filler = 'x'.repeat(22_000)
    const lines = Array.from({ length: 200 }, (_, i) => JSON.stringify({ custom_id: `e${i}`, method: 'POST', url: '/v1/embeddings', body: { model: 'text-embedding-3-small', input: `${i} ${filler}` } }))
    const text = lines.join('\n') + '\n'
    expect(text.length).toBeGreaterThan(INLINE_FILE_BYTES)
    const input = await openai().files.create({ file: await toFile(Buffer.from(text), 'big.jsonl'), purpose: 'batch' })
    const batch = await openai().batches.create({ input_file_id: input.id, endpoint: '/v1/embeddings', completion_window: '24h' })
    const done = await openai().batches.retrieve(batch.id)
    expect(done).toMatchObject({ status: 'completed', request_counts: { total: 200, completed: 200, failed: 0 } })
    const output = await contentOf(done.output_file_id!)
    expect(output.length).toBeGreaterThan(INLINE_FILE_BYTES)
    restart()
    expect(await contentOf(input.id)).toBe(text)
    expect(await contentOf(done.output_file_id!)).toBe(output)
    sim.stop()
    expect(statSync(join(dir, 'files', input.id)).size).toBe(Buffer.byteLength(text))
    expect(statSync(join(dir, 'files', done.output_file_id!)).size).toBe(Buffer.byteLength(output))
    const db = new Database(join(dir, SIM_DB_FILE), { readonly: true })
    try {
      const rows = db.query('SELECT id, content IS NULL AS on_disk FROM sim_files ORDER BY seq').all()
      expect(rows).toEqual([{ id: input.id, on_disk: 1 }, { id: done.output_file_id, on_disk: 1 }])
    } finally {
      db.close()
    }
    start()
  })

  it('POST /_sim/reset forgets every file and batch, on disk too', async () => {
    await scenario({ global: { turnaround_s: 0 } })
    const big = await openai().files.create({ file: await toFile(Buffer.alloc(INLINE_FILE_BYTES + 10, 'y'), 'big.bin'), purpose: 'user_data' })
    const input = await upload([line('r1', 'x')])
    await openai().batches.create({ input_file_id: input.id, endpoint: '/v1/chat/completions', completion_window: '24h' })
    expect(readdirSync(join(dir, 'files'))).toEqual([big.id])
    expect((await fetch(`${sim.url}/_sim/reset`, { method: 'POST' })).status).toBe(200)
    restart()
    expect(readdirSync(join(dir, 'files'))).toEqual([])
    expect((await openai().files.list()).data).toEqual([])
    expect((await openai().batches.list()).data).toEqual([])
  })
})

describe('Anthropic Message Batches across restarts', () => {
  it('a batch answers the same object after a restart, ends on the injected clock, and its results are served identically', async () => {
    await scenario({ global: { turnaround_s: 60 } })
    const created = await anthropic().messages.batches.create({ requests: [request('a', 'First'), request('b', 'Second')] })
    clock.advance(30_000)
    const before = await anthropic().messages.batches.retrieve(created.id)
    expect(before.processing_status).toBe('in_progress')
    restart()
    expect(await anthropic().messages.batches.retrieve(created.id)).toEqual(before)
    clock.advance(30_000)
    const ended = await anthropic().messages.batches.retrieve(created.id)
    expect(ended).toMatchObject({ processing_status: 'ended', request_counts: { succeeded: 2, errored: 0, processing: 0 } })
    const results = await resultsOf(created.id)
    expect(results.map((r: any) => [r.custom_id, r.result.type])).toEqual([['a', 'succeeded'], ['b', 'succeeded']])
    restart()
    expect(await resultsOf(created.id)).toEqual(results)
    expect(await anthropic().messages.batches.retrieve(created.id)).toEqual(ended)
  })

  it('a cancel sent after a restart ends the batch with the unfinished requests canceled', async () => {
    await scenario({ global: { turnaround_s: 10 } })
    const batch = await anthropic().messages.batches.create({ requests: [request('c1', 'a'), request('c2', 'b'), request('c3', 'c')] })
    clock.advance(4000)
    await anthropic().messages.batches.retrieve(batch.id)
    restart()
    expect((await anthropic().messages.batches.cancel(batch.id)).processing_status).toBe('canceling')
    restart()
    expect(await anthropic().messages.batches.retrieve(batch.id)).toMatchObject({ processing_status: 'ended', request_counts: { succeeded: 1, canceled: 2 } })
    expect((await resultsOf(batch.id)).map((r: any) => r.result.type)).toEqual(['succeeded', 'canceled', 'canceled'])
  })
})

describe('the simulator directory', () => {
  it('refuses a second simulator on a directory in use, naming it', () => {
    let err: unknown
    try {
      startSimulatorServer({ host: '127.0.0.1', port: 0, dataDir: dir }).stop()
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(SimDirLockedError)
    expect(String((err as Error).message)).toContain(dir)
  })

  it('refuses a directory written with another layout instead of misreading it', () => {
    const other = mkdtempSync(join(root, 'other-'))
    const db = new Database(join(other, SIM_DB_FILE), { create: true })
    db.exec('PRAGMA user_version = 99')
    db.close()
    expect(() => startSimulatorServer({ host: '127.0.0.1', port: 0, dataDir: other })).toThrow(`simulator data dir ${other} holds schema 99, this simulator writes 1; remove the directory or use another one`)
  })

  it('without a directory keeps batches in memory only: gone after a restart', async () => {
    sim.stop()
    const memory = () => startSimulatorServer({ host: '127.0.0.1', port, now: () => clock.now() })
    sim = memory()
    await scenario({ global: { turnaround_s: 10 } })
    const batch = await anthropic().messages.batches.create({ requests: [request('m', 'x')] })
    sim.stop()
    sim = memory()
    expect(await failure(anthropic().messages.batches.retrieve(batch.id))).toBeInstanceOf(Anthropic.NotFoundError)
    expect(existsSync(join(dir, SIM_DB_FILE))).toBe(true)
  })
})
