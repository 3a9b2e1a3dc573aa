/**
 * The standalone simulator as a real process (`bun src/main.ts sim --data-dir D`), killed with
 * SIGKILL and started again on the same directory and port: provider batches of both dialects
 * answer the same objects, keep running on the wall clock and complete, a cancel still works,
 * results are served identically after another kill, and every create that answered before a
 * kill is still there. Driven by the official `openai` and `@anthropic-ai/sdk` clients.
 */
import { afterAll, afterEach, describe, expect, it } from 'bun:test'
import { join } from 'node:path'
import OpenAI, { toFile } from 'openai'
import Anthropic from '@anthropic-ai/sdk'
import { REPO_ROOT, freePort, removeDir, startSimProcess, tempDir, waitFor, type SimProcess } from '../helpers/process'

const CLAUDE = 'claude-haiku-4-5-20251001'
const root = tempDir('br-sim-restart-')
const running: SimProcess[] = []

afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop('SIGKILL')))
})
afterAll(() => removeDir(root))

async function startSim(dataDir: string, port: number): Promise<SimProcess> {
  const sim = await startSimProcess({ dataDir, port })
  running.push(sim)
  return sim
}

/** SIGKILL, then a new process on the same directory and port. */
async function killAndRestart(sim: SimProcess, dataDir: string, port: number): Promise<SimProcess> {
  expect(await sim.stop('SIGKILL')).toBe(137)
  running.splice(running.indexOf(sim), 1)
  return startSim(dataDir, port)
}

const clients = (sim: SimProcess) => ({
  openai: new OpenAI({ apiKey: 'sk-test', baseURL: `${sim.url}/v1`, maxRetries: 0 }),
  anthropic: new Anthropic({ apiKey: 'sk-ant-test', baseURL: sim.url, maxRetries: 0 }),
})
const line = (id: string) => JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `about ${id}` }], max_tokens: 30 } })
const request = (id: string) => ({ custom_id: id, params: { model: CLAUDE, max_tokens: 64, messages: [{ role: 'user' as const, content: `about ${id}` }] } })

async function openAiBatch(client: OpenAI, ids: string[]) {
  const file = await client.files.create({ file: await toFile(Buffer.from(ids.map(line).join('\n') + '\n'), 'in.jsonl'), purpose: 'batch' })
  return client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { ids: ids.join(',') } })
}

async function anthropicResults(client: Anthropic, id: string): Promise<unknown[]> {
  const out: unknown[] = []
  for await (const r of await client.messages.batches.results(id)) out.push(r)
  return out
}

describe('batchrouter sim --data-dir, killed with SIGKILL', () => {
  it('keeps both dialects’ batches: the same objects after the kill, completion after it, a cancel, identical results after another kill', async () => {
    const dataDir = join(root, 'both')
    const port = await freePort()
    let sim = await startSim(dataDir, port)
    // A slow batch (stays in one phase, so its object must come back identical) and a fast one.
    await sim.scenario({ global: { turnaround_s: 3600 } })
    let c = clients(sim)
    const slowOpenAi = await openAiBatch(c.openai, ['s1', 's2'])
    const slowClaude = await c.anthropic.messages.batches.create({ requests: [request('s1'), request('s2')] })
    await sim.scenario({ global: { turnaround_s: 2 } })
    const fastOpenAi = await openAiBatch(c.openai, ['f1', 'f2', 'f3'])
    const fastClaude = await c.anthropic.messages.batches.create({ requests: [request('f1'), request('f2'), request('f3')] })
    const before = { openai: await c.openai.batches.retrieve(slowOpenAi.id), claude: await c.anthropic.messages.batches.retrieve(slowClaude.id) }

    sim = await killAndRestart(sim, dataDir, port)
    c = clients(sim)
    expect(await c.openai.batches.retrieve(slowOpenAi.id)).toEqual(before.openai)
    expect(await c.anthropic.messages.batches.retrieve(slowClaude.id)).toEqual(before.claude)
    // The fast batches were created before the kill and complete after it, on their own schedule.
    const done = await waitFor('the OpenAI batch to complete', async () => {
      const b = await c.openai.batches.retrieve(fastOpenAi.id)
      return b.status === 'completed' ? b : null
    }, { timeoutMs: 20_000, everyMs: 100 })
    expect(done).toMatchObject({ created_at: fastOpenAi.created_at, request_counts: { total: 3, completed: 3, failed: 0 }, metadata: { ids: 'f1,f2,f3' } })
    const ended = await waitFor('the Message Batch to end', async () => {
      const b = await c.anthropic.messages.batches.retrieve(fastClaude.id)
      return b.processing_status === 'ended' ? b : null
    }, { timeoutMs: 20_000, everyMs: 100 })
    expect(ended.request_counts).toEqual({ processing: 0, succeeded: 3, errored: 0, canceled: 0, expired: 0 })
    const output = await (await c.openai.files.content(done.output_file_id!)).text()
    expect(output.trim().split('\n').map((l) => JSON.parse(l).custom_id)).toEqual(['f1', 'f2', 'f3'])
    const results = await anthropicResults(c.anthropic, fastClaude.id)
    expect(results.map((r: any) => r.result.type)).toEqual(['succeeded', 'succeeded', 'succeeded'])
    // Cancels of batches created before the kill.
    expect((await c.openai.batches.cancel(slowOpenAi.id)).status).toBe('cancelling')
    expect((await c.anthropic.messages.batches.cancel(slowClaude.id)).processing_status).toBe('canceling')

    sim = await killAndRestart(sim, dataDir, port)
    c = clients(sim)
    expect(await c.openai.batches.retrieve(fastOpenAi.id)).toEqual(done)
    expect(await (await c.openai.files.content(done.output_file_id!)).text()).toBe(output)
    expect(await anthropicResults(c.anthropic, fastClaude.id)).toEqual(results)
    expect(await c.openai.batches.retrieve(slowOpenAi.id)).toMatchObject({ status: 'cancelled', request_counts: { total: 2, completed: 0, failed: 2 } })
    expect(await c.anthropic.messages.batches.retrieve(slowClaude.id)).toMatchObject({ processing_status: 'ended', request_counts: { canceled: 2 } })
  })

  it('every create that answered before the kill is still there after it', async () => {
    const dataDir = join(root, 'burst')
    const port = await freePort()
    let sim = await startSim(dataDir, port)
    await sim.scenario({ global: { turnaround_s: 600 } })
    const { anthropic } = clients(sim)
    const answered: string[] = []
    let killed = false
    const creates = Array.from({ length: 40 }, (_, i) =>
      anthropic.messages.batches.create({ requests: [request(`b${i}`)] }).then((b) => {
        if (!killed) answered.push(b.id)
        // Kill while the rest of the burst is still arriving.
        if (answered.length === 10) {
          killed = true
          sim.kill('SIGKILL')
        }
      }, () => {}),
    )
    await Promise.all(creates)
    expect(answered.length).toBeGreaterThanOrEqual(10)
    sim = await killAndRestart(sim, dataDir, port)
    const after = clients(sim).anthropic
    for (const id of answered) expect((await after.messages.batches.retrieve(id)).processing_status).toBe('in_progress')
  })

  it('a second simulator on the same data dir refuses to start and names the directory', async () => {
    const dataDir = join(root, 'twice')
    await startSim(dataDir, await freePort())
    const second = Bun.spawn([process.execPath, 'src/main.ts', 'sim', '--port', '0', '--data-dir', dataDir], { cwd: REPO_ROOT, stdout: 'pipe', stderr: 'pipe' })
    expect(await second.exited).toBe(1)
    expect(await new Response(second.stderr).text()).toBe(`simulator data dir ${dataDir} is in use by another simulator process; stop it or use another --data-dir\n`)
    expect(await new Response(second.stdout).text()).toBe('')
  })
})
