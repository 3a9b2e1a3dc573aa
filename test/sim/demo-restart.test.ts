/**
 * The simulator mounted by `serve --demo` keeps its provider batches in `<dataDir>/sim/`: the
 * appliance is killed with SIGKILL and started again on the same data dir and port, and
 * (1) provider batches created through the official SDKs on the mounted dialects before the kill
 * are retrieved and complete after it; (2) a router batch whose items run as provider jobs on
 * the OpenAI Batch and Anthropic Message Batches lanes completes after the kill, every item
 * once — the router finds its provider jobs where it left them.
 */
import { afterAll, afterEach, describe, expect, it } from 'bun:test'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import OpenAI, { toFile } from 'openai'
import Anthropic from '@anthropic-ai/sdk'
import { freePort, removeDir, startServerProcess, tempDir, waitFor, type ServerProcess } from '../helpers/process'
import { SIM_UPSTREAM_PREFIX } from '../../src/sim/mount'
import { SIM_DB_FILE } from '../../src/sim/sim-db'

const CLAUDE = 'claude-haiku-4-5-20251001'
const root = tempDir('br-sim-demo-')
const running: ServerProcess[] = []

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop('SIGKILL')))
})
afterAll(() => removeDir(root))

async function serveDemo(dataDir: string, port: number): Promise<ServerProcess> {
  const server = await startServerProcess({ dataDir, port, config: { demo: true, tickMs: 100 } })
  running.push(server)
  return server
}

async function killAndRestart(server: ServerProcess): Promise<ServerProcess> {
  expect(await server.stop('SIGKILL')).toBe(137)
  running.splice(running.indexOf(server), 1)
  return serveDemo(server.dataDir, server.port)
}

/** The demo key `serve --demo` prints. */
async function demoKey(server: ServerProcess): Promise<string> {
  return waitFor('the demo key', () => /API key: (\S+)/.exec(server.stdout())?.[1])
}

async function setScenario(server: ServerProcess, body: unknown): Promise<void> {
  const res = await fetch(`${server.url}/_sim/scenario`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  expect(res.status).toBe(200)
}

/** SDK clients on the mounted provider dialects (not the router's /v1). */
function providerClients(server: ServerProcess) {
  return {
    openai: new OpenAI({ apiKey: 'sk-sim', baseURL: `${server.url}${SIM_UPSTREAM_PREFIX}/v1`, maxRetries: 0 }),
    anthropic: new Anthropic({ apiKey: 'sk-ant-sim', baseURL: `${server.url}${SIM_UPSTREAM_PREFIX}`, maxRetries: 0 }),
  }
}

const chatLine = (id: string, model: string) => JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { model, messages: [{ role: 'user', content: `Say something about ${id}.` }], max_tokens: 32 } })

describe('serve --demo, killed with SIGKILL, restarted on the same data dir', () => {
  it('provider batches created on the mounted simulator before the kill are retrieved and complete after it', async () => {
    let server = await serveDemo(join(root, 'provider'), await freePort())
    await setScenario(server, { global: { turnaround_s: 2 } })
    let sdk = providerClients(server)
    const file = await sdk.openai.files.create({ file: await toFile(Buffer.from(['p1', 'p2'].map((id) => chatLine(id, 'gpt-4o-mini')).join('\n') + '\n'), 'in.jsonl'), purpose: 'batch' })
    const openAiBatch = await sdk.openai.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { by: 'sdk' } })
    const claudeBatch = await sdk.anthropic.messages.batches.create({ requests: ['p1', 'p2'].map((id) => ({ custom_id: id, params: { model: CLAUDE, max_tokens: 32, messages: [{ role: 'user' as const, content: id }] } })) })
    expect(existsSync(join(server.dataDir, 'sim', SIM_DB_FILE))).toBe(true)

    server = await killAndRestart(server)
    sdk = providerClients(server)
    const done = await waitFor('the OpenAI batch to complete', async () => {
      const b = await sdk.openai.batches.retrieve(openAiBatch.id)
      return b.status === 'completed' ? b : null
    }, { timeoutMs: 20_000, everyMs: 100 })
    expect(done).toMatchObject({ id: openAiBatch.id, created_at: openAiBatch.created_at, input_file_id: file.id, metadata: { by: 'sdk' }, request_counts: { total: 2, completed: 2, failed: 0 } })
    const output = await (await sdk.openai.files.content(done.output_file_id!)).text()
    expect(output.trim().split('\n').map((l) => JSON.parse(l).response.body.object)).toEqual(['chat.completion', 'chat.completion'])
    const ended = await waitFor('the Message Batch to end', async () => {
      const b = await sdk.anthropic.messages.batches.retrieve(claudeBatch.id)
      return b.processing_status === 'ended' ? b : null
    }, { timeoutMs: 20_000, everyMs: 100 })
    expect(ended).toMatchObject({ created_at: claudeBatch.created_at, request_counts: { succeeded: 2, errored: 0 } })
    const results: any[] = []
    for await (const r of await sdk.anthropic.messages.batches.results(claudeBatch.id)) results.push(r)
    expect(results.map((r) => [r.custom_id, r.result.type])).toEqual([['p1', 'succeeded'], ['p2', 'succeeded']])
  })

  it('a router batch on the OpenAI Batch and Message Batches lanes completes after a kill while its provider jobs run', async () => {
    let server = await serveDemo(join(root, 'router'), await freePort())
    const key = await demoKey(server)
    // Slow enough that the kill lands while both provider jobs are in flight.
    await setScenario(server, { global: { turnaround_s: 6 } })
    const ids = ['gpt-1', 'gpt-2', 'gpt-3', 'claude-1', 'claude-2', 'claude-3']
    const lines = ids.map((id) => chatLine(id, id.startsWith('gpt') ? 'gpt-4o-mini' : 'claude-haiku-4-5'))
    let client = new OpenAI({ apiKey: key, baseURL: `${server.url}/v1`, maxRetries: 0 })
    const file = await client.files.create({ file: await toFile(Buffer.from(lines.join('\n') + '\n'), 'mixed.jsonl'), purpose: 'batch' })
    const batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' })
    const sdk = providerClients(server)
    const jobs = await waitFor('provider jobs on both dialects', async () => {
      const openAiJobs = (await sdk.openai.batches.list()).data
      const claudeJobs = (await sdk.anthropic.messages.batches.list()).data
      return openAiJobs.length > 0 && claudeJobs.length > 0 ? { openai: openAiJobs, claude: claudeJobs } : null
    }, { timeoutMs: 20_000, everyMs: 50 })
    expect([...jobs.openai.map((j) => j.status), ...jobs.claude.map((j) => j.processing_status)].every((s) => s !== 'completed' && s !== 'ended')).toBe(true)

    server = await killAndRestart(server)
    client = new OpenAI({ apiKey: key, baseURL: `${server.url}/v1`, maxRetries: 0 })
    const done = await waitFor('the router batch to finish', async () => {
      const b = await client.batches.retrieve(batch.id)
      return ['completed', 'failed', 'expired', 'cancelled'].includes(b.status) ? b : null
    }, { timeoutMs: 60_000, everyMs: 200 })
    expect(done).toMatchObject({ status: 'completed', request_counts: { total: 6, completed: 6, failed: 0 }, error_file_id: null })
    const output = (await (await client.files.content(done.output_file_id!)).text()).trim().split('\n').map((l) => JSON.parse(l))
    expect(output.map((l) => l.custom_id).sort()).toEqual([...ids].sort())
    for (const l of output) expect(l.response).toMatchObject({ status_code: 200, body: { object: 'chat.completion' } })
    // The provider jobs that were in flight at the kill are the ones that ended after it.
    const after = providerClients(server)
    for (const job of jobs.openai) expect((await after.openai.batches.retrieve(job.id)).status).toBe('completed')
    for (const job of jobs.claude) expect((await after.anthropic.messages.batches.retrieve(job.id)).processing_status).toBe('ended')
  })
})
