/**
 * What the Anthropic dialect cannot express is refused when the work is quoted or created —
 * never as a run-time failure: ingest records each item's translation refusal and routing rejects
 * the Anthropic lane with `operation_unsupported` or `tool_support` and a reason naming the feature.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { startTestApp, type TestApp } from '../../helpers/test-app'
import { chatItem, newKey, postBatch, postQuote } from '../../helpers/batch-helpers'

let app: TestApp
let auth: Record<string, string>

beforeAll(async () => {
  app = await startTestApp({ scheduler: false, config: { demo: true } })
  auth = app.newOrg('5.00').auth
})
afterAll(() => app.close())

const strictTool = { tools: [{ type: 'function', function: { name: 'lookup', strict: true, parameters: { type: 'object', properties: {} } } }] }

describe('untranslatable items and Anthropic lanes', () => {
  const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['n: 2', { n: 2 }, 'operation_unsupported', /Items use n, which cannot be translated for Anthropic/],
    ['a JSON-schema response_format', { response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } } }, 'operation_unsupported', /response_format/],
    ['a strict function tool', strictTool, 'tool_support', /tools\.function\.strict/],
  ]
  for (const [name, extra, code, reason] of cases) {
    it(`quote: ${name} → 400 no_eligible_lane, the Anthropic lane rejected with ${code}`, async () => {
      const res = await postQuote(app, auth, { items: [chatItem('a', 'claude-haiku-4-5', extra)] })
      expect(res.status).toBe(400)
      expect(res.body.error.code).toBe('no_eligible_lane')
      const [rejection] = res.body.error.details.rejections
      expect(rejection).toMatchObject({ offering_id: 'anthropic-batch-claude-haiku-4-5', rejection_code: code })
      expect(rejection.reason).toMatch(reason)
    })
  }

  it('the same item is fine for an OpenAI lane: only the Anthropic lane is refused in a mixed quote', async () => {
    const res = await postQuote(app, auth, { items: [chatItem('a', 'claude-haiku-4-5', { n: 2 }), chatItem('b', 'gpt-4o-mini', { n: 2 })] })
    expect(res.status).toBe(200)
    const lanes = res.body.quote_lanes.map((l: any) => [l.offering_id, l.selected, l.rejection_code])
    expect(lanes).toContainEqual(['anthropic-batch-claude-haiku-4-5', false, 'operation_unsupported'])
    expect(lanes).toContainEqual(['openai-batch-gpt-4o-mini', true, null])
  })

  it('create refuses a batch whose only lane cannot translate its items (nothing reaches a provider)', async () => {
    const res = await postBatch(app, auth, { items: [chatItem('a', 'claude-haiku-4-5', { logprobs: true })] }, newKey('untranslatable'))
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('no_eligible_lane')
  })

  it('translatable Claude items quote normally', async () => {
    const res = await postQuote(app, auth, { items: [chatItem('a', 'claude-haiku-4-5', { temperature: 0.2, stop: ['END'] })] })
    expect(res.status).toBe(200)
    expect(res.body.quote_lanes).toContainEqual(expect.objectContaining({ offering_id: 'anthropic-batch-claude-haiku-4-5', selected: true, rejection_code: null }))
  })
})
