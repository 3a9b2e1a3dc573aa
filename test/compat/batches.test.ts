/**
 * OpenAI Batch compatibility, driven by the official `openai` npm package against a real
 * `bun src/main.ts serve --demo` process: the two-line change (base URL + key) and nothing else.
 * Upload (file stream, Blob) → create → poll with retrieve → files.content(output_file_id),
 * line by line; a file mixing OpenAI and Anthropic models; /v1/responses lines; auto-pagination
 * of batches and files; the OpenAI model list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { createReadStream, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import OpenAI, { toFile, type APIError } from 'openai'
import { chatLine, embeddingLine, pollUntilDone, readJsonlFile, responsesLine, startCompatServer, toJsonl, type CompatServer, type OutputLine } from './helpers'

/** SDK flows against a real server take seconds; `bun test` alone would allow 5. */
const SLOW_MS = 30_000

let srv: CompatServer
let client: OpenAI

beforeAll(async () => {
  srv = await startCompatServer()
  ;({ client } = await srv.newClient())
}, SLOW_MS)
afterAll(() => srv.stop())

/** Every custom_id answered exactly once across the output and error files. */
function expectEachOnce(lines: OutputLine[], ids: string[]) {
  expect(lines.map((l) => l.custom_id).sort()).toEqual([...ids].sort())
}

function expectChatCompletion(body: any) {
  expect(body).toMatchObject({ object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant' } }] })
  expect(typeof body.id).toBe('string')
  expect(typeof body.created).toBe('number')
  expect(typeof body.model).toBe('string')
  expect(typeof body.choices[0].message.content).toBe('string')
  expect(body.choices[0].message.content.length).toBeGreaterThan(0)
  expect(body.choices[0].finish_reason).toBe('stop')
  expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens)
}

describe('the OpenAI batch flow through the SDK', () => {
  it('chat: upload from a file stream → create → poll → files.content(output_file_id), every custom_id once', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `chat-${i}`)
    const path = join(srv.server.dataDir, '..', 'chat-input.jsonl')
    writeFileSync(path, toJsonl(ids.map((id) => chatLine(id))))
    const file = await client.files.create({ file: createReadStream(path), purpose: 'batch' })
    expect(file).toMatchObject({ object: 'file', purpose: 'batch', filename: 'chat-input.jsonl', status: 'processed' })

    const created = await client.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      metadata: { job: 'nightly-chat', 'br.routing_mode': 'cheapest', 'br.sla_tier': 'standard' },
      output_expires_after: { anchor: 'created_at', seconds: 7200 },
    })
    expect(created).toMatchObject({ object: 'batch', endpoint: '/v1/chat/completions', input_file_id: file.id, completion_window: '24h', status: 'validating', model: 'gpt-4o-mini', output_file_id: null, error_file_id: null, errors: null })
    expect(created.request_counts).toEqual({ total: 12, completed: 0, failed: 0 })
    expect(created.metadata).toEqual({ job: 'nightly-chat', 'br.routing_mode': 'cheapest', 'br.sla_tier': 'standard' })
    expect(created.expires_at! - created.created_at).toBe(24 * 3600)
    for (const key of ['in_progress_at', 'finalizing_at', 'completed_at', 'failed_at', 'expired_at', 'cancelling_at', 'cancelled_at'] as const) expect(created[key]).toBeNull()

    const { batch, seen } = await pollUntilDone(client, created.id)
    expect(batch.status).toBe('completed')
    expect(seen.every((s) => ['validating', 'in_progress', 'finalizing', 'completed'].includes(s))).toBe(true)
    expect(batch.request_counts).toEqual({ total: 12, completed: 12, failed: 0 })
    expect(batch.error_file_id).toBeNull()
    for (const key of ['in_progress_at', 'finalizing_at', 'completed_at'] as const) expect(batch[key]).toBeGreaterThanOrEqual(batch.created_at)
    for (const key of ['failed_at', 'expired_at', 'cancelling_at', 'cancelled_at'] as const) expect(batch[key]).toBeNull()
    expect(batch.usage!.input_tokens).toBeGreaterThan(0)
    expect(batch.usage!.output_tokens).toBeGreaterThan(0)
    expect(batch.usage!.total_tokens).toBe(batch.usage!.input_tokens + batch.usage!.output_tokens)
    expect(batch.usage!.input_tokens_details).toEqual({ cached_tokens: expect.any(Number) })
    expect(batch.usage!.output_tokens_details).toEqual({ reasoning_tokens: expect.any(Number) })

    const output = await client.files.retrieve(batch.output_file_id!)
    expect(output).toMatchObject({ object: 'file', purpose: 'batch_output', status: 'processed' })
    expect(output.expires_at! - output.created_at).toBe(7200)

    const lines = await readJsonlFile(client, batch.output_file_id!)
    expectEachOnce(lines, ids)
    for (const line of lines) {
      expect(line.id).toMatch(/^batch_req_/)
      expect(line.error).toBeNull()
      expect(line.response!.status_code).toBe(200)
      expect(line.response!.request_id).toMatch(/^req_/)
      expectChatCompletion(line.response!.body)
    }
  }, SLOW_MS)

  it('embeddings: upload from a Blob → create → poll → embedding lists', async () => {
    const ids = ['emb-a', 'emb-b', 'emb-c']
    const blob = new Blob([toJsonl(ids.map((id) => embeddingLine(id)))], { type: 'application/octet-stream' })
    const file = await client.files.create({ file: await toFile(blob, 'embeddings.jsonl'), purpose: 'batch' })
    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/embeddings', completion_window: '24h' })
    expect(created.model).toBe('text-embedding-3-small')
    const { batch } = await pollUntilDone(client, created.id)
    expect(batch.status).toBe('completed')
    const lines = await readJsonlFile(client, batch.output_file_id!)
    expectEachOnce(lines, ids)
    for (const line of lines) {
      const body = line.response!.body
      expect(body).toMatchObject({ object: 'list', model: expect.any(String), data: [{ object: 'embedding', index: 0 }] })
      expect(body.data[0].embedding.length).toBeGreaterThan(0)
      expect(body.data[0].embedding.every((x: unknown) => typeof x === 'number')).toBe(true)
      expect(body.usage.prompt_tokens).toBeGreaterThan(0)
    }
  }, SLOW_MS)

  it('one file mixing gpt-4o-mini and claude-haiku-4-5 lines: both providers run it, one output file of chat completions', async () => {
    const ids = Array.from({ length: 8 }, (_, i) => `mixed-${i}`)
    const lines = ids.map((id, i) => chatLine(id, i % 2 === 0 ? 'gpt-4o-mini' : 'claude-haiku-4-5'))
    const file = await client.files.create({ file: await toFile(Buffer.from(toJsonl(lines)), 'mixed.jsonl'), purpose: 'batch' })
    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' })
    const { batch } = await pollUntilDone(client, created.id)
    expect(batch).toMatchObject({ status: 'completed', error_file_id: null, request_counts: { total: 8, completed: 8, failed: 0 } })
    // The native view under `batch` names the lanes; the OpenAI view stays one batch, one output file.
    const lanes = (batch as unknown as { batch: { lanes: { provider: string; model: string }[] } }).batch.lanes
    expect(new Set(lanes.map((l) => l.provider))).toEqual(new Set(['openai', 'anthropic']))
    const output = await readJsonlFile(client, batch.output_file_id!)
    expectEachOnce(output, ids)
    for (const line of output) expectChatCompletion(line.response!.body)
    const claude = output.filter((l) => Number(l.custom_id.split('-')[1]) % 2 === 1)
    expect(claude.every((l) => String(l.response!.body.model).startsWith('claude-haiku-4-5'))).toBe(true)
  }, SLOW_MS)

  it('/v1/responses lines answer Responses objects, whichever provider ran them', async () => {
    const ids = ['resp-openai', 'resp-claude']
    const lines = [responsesLine('resp-openai', 'gpt-4o-mini'), { ...responsesLine('resp-claude', 'claude-haiku-4-5'), body: { ...responsesLine('x', 'claude-haiku-4-5').body, instructions: 'Answer in one word.', temperature: 0.3 } }]
    const file = await client.files.create({ file: await toFile(Buffer.from(toJsonl(lines)), 'responses.jsonl'), purpose: 'batch' })
    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/responses', completion_window: '24h' })
    const { batch } = await pollUntilDone(client, created.id)
    expect(batch.status).toBe('completed')
    const output = await readJsonlFile(client, batch.output_file_id!)
    expectEachOnce(output, ids)
    for (const line of output) {
      const body = line.response!.body as OpenAI.Responses.Response
      expect(body).toMatchObject({ object: 'response', status: 'completed', error: null, incomplete_details: null })
      expect(body.id).toMatch(/^resp_/)
      expect(body.output).toHaveLength(1)
      const message = body.output[0] as OpenAI.Responses.ResponseOutputMessage
      expect(message).toMatchObject({ type: 'message', role: 'assistant', status: 'completed' })
      expect(message.id).toMatch(/^msg_/)
      expect(message.content[0]).toMatchObject({ type: 'output_text', annotations: [] })
      expect((message.content[0] as OpenAI.Responses.ResponseOutputText).text.length).toBeGreaterThan(0)
      expect(body.usage!.total_tokens).toBe(body.usage!.input_tokens + body.usage!.output_tokens)
      expect(body.usage!.input_tokens_details.cached_tokens).toBeGreaterThanOrEqual(0)
    }
    const claude = output.find((l) => l.custom_id === 'resp-claude')!.response!.body
    expect(claude.model).toStartWith('claude-haiku-4-5')
    expect(claude).toMatchObject({ instructions: 'Answer in one word.', temperature: 0.3, max_output_tokens: 64 })
  }, SLOW_MS)
})

describe('auto-pagination through the SDK', () => {
  let pager: OpenAI
  const batchIds: string[] = []
  const fileIds: string[] = []

  beforeAll(async () => {
    // A fresh org, so the lists hold exactly what this block made.
    ;({ client: pager } = await srv.newClient())
    for (let i = 0; i < 7; i++) {
      const file = await pager.files.create({ file: await toFile(Buffer.from(toJsonl([chatLine(`page-${i}`)])), `page-${i}.jsonl`), purpose: 'batch' })
      fileIds.push(file.id)
      batchIds.push((await pager.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' })).id)
    }
  }, SLOW_MS)

  it('for await over client.batches.list({limit: 3}) visits every batch once, newest first, and ends', async () => {
    const seen: string[] = []
    const createdAt: number[] = []
    for await (const b of pager.batches.list({ limit: 3 })) {
      seen.push(b.id)
      createdAt.push(b.created_at)
      if (seen.length > 50) throw new Error('pagination does not terminate')
    }
    // Every batch once; newest first (batches created within one millisecond tie-break by id).
    expect([...seen].sort()).toEqual([...batchIds].sort())
    expect(createdAt).toEqual([...createdAt].sort((a, b) => b - a))
    const first = await pager.batches.list({ limit: 3 })
    expect(first.data).toHaveLength(3)
    expect(first.has_more).toBe(true)
    // The SDK page keeps only data/has_more; the wire also carries the cursor ids.
    const raw = (await (await pager.batches.list({ limit: 3 }).asResponse()).json()) as { object: string; first_id: string; last_id: string; has_more: boolean }
    expect(raw).toMatchObject({ object: 'list', first_id: seen[0]!, last_id: seen[2]!, has_more: true })
    const pages = []
    for await (const page of first.iterPages()) pages.push(page.data.length)
    expect(pages).toEqual([3, 3, 1])
  }, SLOW_MS)

  it('for await over client.batches.list() with the default page size ends too', async () => {
    const seen: string[] = []
    for await (const b of pager.batches.list()) seen.push(b.id)
    expect(seen).toHaveLength(7)
  }, SLOW_MS)

  it('for await over client.files.list({limit: 2, purpose: "batch"}) visits every file once and ends; order asc works', async () => {
    const desc: string[] = []
    for await (const f of pager.files.list({ limit: 2, purpose: 'batch' })) {
      desc.push(f.id)
      if (desc.length > 50) throw new Error('pagination does not terminate')
    }
    expect([...desc].sort()).toEqual([...fileIds].sort())
    const asc: string[] = []
    for await (const f of pager.files.list({ limit: 3, order: 'asc', purpose: 'batch' })) asc.push(f.id)
    expect(asc).toEqual([...desc].reverse())
  }, SLOW_MS)
})

describe('models through the SDK', () => {
  it('lists catalog slugs and aliases in the OpenAI shape and retrieves one, also with a slash in its id', async () => {
    const ids: string[] = []
    for await (const m of client.models.list()) {
      expect(m).toMatchObject({ object: 'model', id: expect.any(String), created: expect.any(Number), owned_by: expect.any(String) })
      ids.push(m.id)
    }
    expect(ids).toEqual(expect.arrayContaining(['gpt-4o-mini', 'gpt-4o-mini-2024-07-18', 'claude-haiku-4-5', 'claude-haiku-4-5-20251001', 'text-embedding-3-small']))
    expect(await client.models.retrieve('claude-haiku-4-5')).toMatchObject({ id: 'claude-haiku-4-5', object: 'model', owned_by: 'anthropic' })
    expect(await client.models.retrieve('meta-llama/Llama-3.1-8B-Instruct')).toMatchObject({ id: 'meta-llama/Llama-3.1-8B-Instruct', object: 'model' })
    const missing = await client.models.retrieve('gpt-0').catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError)
    expect((missing as APIError).message).toContain('GET /v1/models')
  }, SLOW_MS)
})
