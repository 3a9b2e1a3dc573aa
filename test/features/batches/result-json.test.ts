/**
 * resultJson writes a Result row as text field by field, passing the stored output through; it
 * must be byte for byte what JSON.stringify of the presented object gives, for any item: every
 * status, null and odd values, strings that need escaping, and any output as the one outcome path
 * stores it (JSON.stringify of the provider's answer, features/dispatch/outcomes.ts).
 */
import { describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { presentResult, resultJson } from '../../../src/features/batches/results'
import { ITEM_STATUSES, type ItemRow } from '../../../src/features/items/index'

const base: ItemRow = {
  id: 'item_abc', batchId: 'bat_1', seq: 0, customerItemId: 'req-1', line: 1, offset: 0, length: 10, model: 'gpt-4o-mini', operation: 'responses', url: '/v1/chat/completions',
  estInputTokens: 1, estOutputTokens: 1, needsTools: false, untranslatable: null, status: 'completed', laneId: 'lane_1', provider: 'openai', offeringId: 'openai-gpt-4o-mini',
  attempts: 1, nextAttemptAt: null, leaseId: null, output: '{"id":"chatcmpl-1","choices":[]}', errorCode: null, errorMessage: null, inputTokens: 12, outputTokens: 3, cachedTokens: 0,
  costMicros: 1234, completedAt: Date.parse('2026-12-02T10:00:00.123Z'), providerJobId: null, providerCustomId: null, nodeId: null,
}

const same = (item: ItemRow) => expect(resultJson(item)).toBe(JSON.stringify(presentResult(item)))

describe('resultJson', () => {
  it('equals JSON.stringify(presentResult(item)) for the usual shapes', () => {
    same(base)
    same({ ...base, status: 'failed', output: null, errorCode: 'rate_limited', errorMessage: 'Too many "requests"\n' })
    same({ ...base, status: 'cancelled', output: null, provider: null, offeringId: null, inputTokens: null, outputTokens: null, costMicros: null, completedAt: null })
    same({ ...base, status: 'expired', errorCode: null, errorMessage: null })
    same({ ...base, customerItemId: 'ünïcödé "quoted" \\ 東京 😀 \u2028', output: JSON.stringify({ text: '\u2028 "x"' }) })
  })

  it('equals it for any item (property)', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 20 })
    const output = fc.option(fc.jsonValue().map((v) => JSON.stringify(v)), { nil: null })
    fc.assert(
      fc.property(
        fc.record({
          status: fc.constantFrom(...ITEM_STATUSES), customerItemId: text, provider: fc.option(text, { nil: null }), offeringId: fc.option(text, { nil: null }), nodeId: fc.option(text, { nil: null }), output,
          errorCode: fc.option(text, { nil: null }), errorMessage: fc.option(text, { nil: null }), attempts: fc.nat(100), inputTokens: fc.option(fc.nat(), { nil: null }),
          outputTokens: fc.option(fc.nat(), { nil: null }), costMicros: fc.option(fc.nat(), { nil: null }), completedAt: fc.option(fc.integer({ min: 0, max: 4_102_444_800_000 }), { nil: null }),
        }),
        (fields) => same({ ...base, ...fields }),
      ),
      { numRuns: 500 },
    )
  })
})
