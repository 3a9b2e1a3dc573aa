import { describe, expect, it } from 'bun:test'
import { IMAGE_TOKENS, LOW_DETAIL_IMAGE_TOKENS, MAX_EXACT_RUN, countTokens, estimateMessagesTokens, estimateTokens, exactPieces } from '../../src/lib/tokens'

describe('countTokens', () => {
  it.each([
    ['', 'estimate', false, 0],
    ['abcd', 'estimate', false, 1],
    ['abcde', 'o200k_base', false, 2],
    ['hello world', 'estimate', true, 3], // no exact tokenizer: the estimate
    ['hello world', 'o200k_base', true, 2],
    ['hello world', 'cl100k_base', true, 2],
  ] as const)('%j with %s, exact %p → %i', (text, tokenizer, exact, expected) => {
    expect(countTokens(text, tokenizer, exact)).toBe(expected)
  })

  it('counts special-token text as plain text instead of throwing', () => {
    expect(countTokens('a <|endoftext|> b', 'o200k_base', true)).toBeGreaterThan(3)
    expect(countTokens('a <|endoftext|> b', 'cl100k_base', true)).toBeGreaterThan(3)
  })

  it('estimates above the exact count for English prose', () => {
    const text = 'The quick brown fox jumps over the lazy dog while the router quotes a batch. '.repeat(20)
    const exact = countTokens(text, 'o200k_base', true)
    expect(estimateTokens(text)).toBeGreaterThan(exact)
    expect(estimateTokens(text)).toBeLessThan(exact * 1.5)
  })
})

describe('estimateMessagesTokens', () => {
  it('adds 3 per message, 3 for priming, and the texts', () => {
    // role "user" (1) + "abcdefgh" (2) per message in the estimate
    const messages = [{ role: 'user', content: 'abcdefgh' }, { role: 'user', content: [{ type: 'text', text: 'abcdefgh' }] }]
    expect(estimateMessagesTokens(messages, 'estimate', false)).toBe(3 + 2 * (3 + 1 + 2))
  })

  it('charges a fixed cost per image part, less with detail low', () => {
    const messages = [
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }, { type: 'input_image', file_id: 'file_1', detail: 'low' }] },
    ]
    expect(estimateMessagesTokens(messages, 'estimate', false)).toBe(3 + 3 + 1 + IMAGE_TOKENS + LOW_DETAIL_IMAGE_TOKENS)
  })

  it('counts names and tool calls', () => {
    const base = estimateMessagesTokens([{ role: 'assistant', content: null }], 'o200k_base', true)
    const withCalls = estimateMessagesTokens([{ role: 'assistant', content: null, name: 'bob', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] }], 'o200k_base', true)
    expect(withCalls).toBeGreaterThan(base + 5)
  })
})

describe('exactPieces (the BPE is quadratic in one run\'s length: 200,000 × "x" once blocked for 73 s)', () => {
  it('cuts every run without whitespace to at most MAX_EXACT_RUN characters and keeps all the text', () => {
    const text = `Hello ${'x'.repeat(200_000)} world ${'='.repeat(450)}\n${'ab '.repeat(1000)}`
    const pieces = exactPieces(text)
    expect(pieces.join('')).toBe(text)
    for (const piece of pieces) for (const run of piece.match(/\S+/g) ?? []) expect(run.length).toBeLessThanOrEqual(MAX_EXACT_RUN)
  })

  it('leaves ordinary prose whole, so its exact count is unchanged', async () => {
    const { countTokens: uncut } = await import('gpt-tokenizer/encoding/o200k_base')
    const prose = 'The quick brown fox jumps over the lazy dog. '.repeat(200)
    expect(exactPieces(prose)).toEqual([prose])
    expect(countTokens(prose, 'o200k_base', true)).toBe(uncut(prose))
  })

  it('counts a long run within a token per piece of the uncut count', async () => {
    const { countTokens: uncut } = await import('gpt-tokenizer/encoding/o200k_base')
    for (const run of ['ab'.repeat(300), 'x'.repeat(1000), 'a1-'.repeat(250)]) {
      const pieces = exactPieces(run).length
      expect(pieces).toBe(Math.ceil(run.length / MAX_EXACT_RUN))
      expect(Math.abs(countTokens(run, 'o200k_base', true) - uncut(run))).toBeLessThanOrEqual(pieces)
    }
  })
})
