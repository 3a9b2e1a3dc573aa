import { describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { embeddingDimensions, embeddingVector, encodeVectorBase64, hash32, mulberry32, promptTokens, replyText, textTokens, truncateToTokens } from '../../src/sim/deterministic'
import { behaviourFor, decideFault } from '../../src/sim/faults'

describe('PRNG and hash', () => {
  it('mulberry32 reproduces its stream for a seed and differs across seeds', () => {
    const a = mulberry32(42)
    const b = mulberry32(42)
    const c = mulberry32(43)
    const sa = [a(), a(), a()]
    expect([b(), b(), b()]).toEqual(sa)
    expect(c()).not.toBe(sa[0])
    expect(sa.every((x) => x >= 0 && x < 1)).toBe(true)
  })

  it('hash32 is FNV-1a', () => {
    expect(hash32('')).toBe(0x811c9dc5)
    expect(hash32('a')).toBe(0xe40c292c)
  })
})

describe('token rule', () => {
  it.each([
    ['', 0],
    ['abc', 1],
    ['abcd', 1],
    ['abcde', 2],
  ])('textTokens(%p) = %d', (text, n) => {
    expect(textTokens(text)).toBe(n)
  })

  it('counts 4 per message, chars/4 of its text and 85 per image', () => {
    expect(promptTokens([{ role: 'user', text: 'Hello there', images: 0, extraChars: 0 }])).toBe(4 + 3)
    expect(promptTokens([{ role: 'system', text: 'abcd', images: 0, extraChars: 0 }, { role: 'user', text: 'x', images: 2, extraChars: 0 }])).toBe(4 + 1 + 4 + 1 + 170)
    const tools = [{ type: 'function', function: { name: 'f' } }]
    expect(promptTokens([{ role: 'user', text: '', images: 0, extraChars: 0 }], tools)).toBe(4 + Math.ceil(JSON.stringify(tools).length / 4))
  })

  it('truncates to max_tokens × 4 characters', () => {
    expect(truncateToTokens('x'.repeat(40), 3)).toEqual({ text: 'x'.repeat(12), truncated: true })
    expect(truncateToTokens('x'.repeat(12), 3)).toEqual({ text: 'x'.repeat(12), truncated: false })
  })

  it('replies to the last user message, first 60 characters', () => {
    const long = 'q'.repeat(100)
    const reply = replyText([{ role: 'user', text: 'first', images: 0, extraChars: 0 }, { role: 'assistant', text: 'a', images: 0, extraChars: 0 }, { role: 'user', text: long, images: 0, extraChars: 0 }])
    expect(reply).toBe(`Simulated reply to: ${'q'.repeat(60)}`)
  })
})

describe('embeddings', () => {
  it('uses dimensions, else the model table, else 256', () => {
    expect(embeddingDimensions('text-embedding-3-small')).toBe(1536)
    expect(embeddingDimensions('text-embedding-3-large')).toBe(3072)
    expect(embeddingDimensions('nomic-embed-text')).toBe(768)
    expect(embeddingDimensions('whatever')).toBe(256)
    expect(embeddingDimensions('text-embedding-3-large', 64)).toBe(64)
  })

  it('gives unit-length vectors, the same for the same model and input', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), fc.integer({ min: 1, max: 512 }), (model, input, dims) => {
        const v = embeddingVector(model, input, dims)
        expect(v).toHaveLength(dims)
        expect(Math.abs(Math.hypot(...v) - 1)).toBeLessThan(1e-9)
        expect(embeddingVector(model, input, dims)).toEqual(v)
      }),
      { numRuns: 100 },
    )
    expect(embeddingVector('m', 'a', 8)).not.toEqual(embeddingVector('m', 'b', 8))
  })

  it('encodes base64 as little-endian float32', () => {
    const v = [0.5, -0.25]
    const bytes = Buffer.from(encodeVectorBase64(v), 'base64')
    expect([bytes.readFloatLE(0), bytes.readFloatLE(4)]).toEqual(v)
  })
})

describe('decideFault', () => {
  it('fails the first N attempts of a key, then answers', () => {
    const b = { fail_first_n: 2, fail_status: 503 }
    expect([1, 2, 3].map((attempt) => decideFault(b, { model: 'm', key: 'k', attempt }).kind)).toEqual(['fail', 'fail', 'answer'])
  })

  it('answers everything with no faults scripted', () => {
    expect(decideFault({}, { model: 'm', key: 'k', attempt: 1 })).toEqual({ kind: 'answer' })
  })

  it('reproduces the same draws for a seed and roughly honours the rates', () => {
    const b = { fail_rate: 0.3, timeout_rate: 0.1, malformed_rate: 0.1, seed: 7 }
    const run = () => Array.from({ length: 2000 }, (_, i) => decideFault(b, { model: 'm', key: `item_${i}`, attempt: 1 }).kind)
    const first = run()
    expect(run()).toEqual(first)
    const share = (kind: string) => first.filter((k) => k === kind).length / first.length
    expect(share('fail')).toBeGreaterThan(0.25)
    expect(share('fail')).toBeLessThan(0.35)
    expect(share('timeout')).toBeGreaterThan(0.07)
    expect(share('malformed')).toBeGreaterThan(0.07)
    const other = Array.from({ length: 2000 }, (_, i) => decideFault({ ...b, seed: 8 }, { model: 'm', key: `item_${i}`, attempt: 1 }).kind)
    expect(other).not.toEqual(first)
  })

  it('lets per-model behaviour override global fields', () => {
    const scenario = { global: { fail_rate: 1, latency_ms: 5 }, models: { calm: { fail_rate: 0 } } }
    expect(behaviourFor(scenario, 'calm')).toEqual({ fail_rate: 0, latency_ms: 5 })
    expect(behaviourFor(scenario, 'other')).toEqual({ fail_rate: 1, latency_ms: 5 })
  })
})
