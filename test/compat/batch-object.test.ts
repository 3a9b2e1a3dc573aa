/**
 * The OpenAI batch object's derived fields: the status table of contract §5 (native → OpenAI,
 * `cancelling` while provider work stops), and `errors` / `failed_at` on a batch that ended
 * failed, read through the SDK from an in-process app (a failed end is forced by hand: no
 * OpenAI-shape input reaches it on its own, since bad inputs are refused at create).
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import OpenAI, { toFile } from 'openai'
import { openAiStatus } from '../../src/features/batches/state'
import { startTestApp, type TestApp } from '../helpers/test-app'
import { failAndFinalize } from '../features/webhooks/helpers'
import { chatLine, readJsonlFile, toJsonl } from './helpers'

/** SDK flows against a real server take seconds; `bun test` alone would allow 5. */
const SLOW_MS = 20_000

describe('OpenAI status of each native status (contract §5)', () => {
  const table: [native: string, openai: string, whileCancelling: string][] = [
    ['pending', 'validating', 'cancelling'],
    ['queued', 'validating', 'cancelling'],
    ['routing', 'validating', 'cancelling'],
    ['dispatched', 'in_progress', 'cancelling'],
    ['processing', 'in_progress', 'cancelling'],
    ['completing', 'finalizing', 'cancelling'],
    ['completed', 'completed', 'completed'],
    ['failed', 'failed', 'failed'],
    ['cancelled', 'cancelled', 'cancelled'],
    ['expired', 'expired', 'expired'],
  ]
  for (const [native, openai, whileCancelling] of table) {
    it(`${native} → ${openai} (${whileCancelling} once cancel was requested)`, () => {
      expect(openAiStatus(native, false)).toBe(openai)
      expect(openAiStatus(native, true)).toBe(whileCancelling)
    })
  }
})

describe('a failed batch through the SDK', () => {
  let app: TestApp
  let client: OpenAI

  beforeAll(async () => {
    app = await startTestApp({ config: { demo: true }, scheduler: false })
    client = new OpenAI({ apiKey: app.newOrg('5.00').key, baseURL: `${app.url}/v1`, maxRetries: 0 })
  }, SLOW_MS)
  afterAll(() => app.close())

  it('reports status failed, failed_at, an errors list and an error file; absent ids are null', async () => {
    const file = await client.files.create({ file: await toFile(Buffer.from(toJsonl([chatLine('f-1'), chatLine('f-2')])), 'fail.jsonl'), purpose: 'batch' })
    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' })
    expect(created.errors).toBeNull()
    await failAndFinalize(app, created.id)
    const batch = await client.batches.retrieve(created.id)
    expect(batch.status).toBe('failed')
    expect(batch.failed_at).toBeGreaterThanOrEqual(batch.created_at)
    expect(batch.completed_at).toBeNull()
    expect(batch.output_file_id).toBeNull()
    expect(batch.errors).toEqual({ object: 'list', data: [{ code: 'batch_failed', message: expect.any(String), param: null, line: null }] })
    expect(batch.errors!.data![0]!.message!.length).toBeGreaterThan(10)
    expect(batch.request_counts).toEqual({ total: 2, completed: 0, failed: 2 })
    const errors = await readJsonlFile(client, batch.error_file_id!)
    expect(errors.map((l) => l.custom_id).sort()).toEqual(['f-1', 'f-2'])
    for (const line of errors) {
      expect(line.error).toBeNull()
      expect(line.response!.status_code).toBeGreaterThanOrEqual(400)
      expect(line.response!.body.error).toMatchObject({ message: 'Nothing could run.', code: 'no_eligible_lane' })
    }
  }, SLOW_MS)
})
