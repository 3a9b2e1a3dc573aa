/** lib/json-limits: nesting depth without recursion (brackets in strings do not count) and non-finite numbers. */
import { describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { jsonNestingDepth, nonFiniteProblem, parseBoundedJson, valueProblem } from '../../src/lib/json-limits'

describe('jsonNestingDepth', () => {
  it.each([
    ['{"a":1}', 1],
    ['[[{"a":[1]}]]', 4],
    ['{"a":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', 1],
    ['{"a":"\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', 1],
    ['[' .repeat(70) + ']'.repeat(70), 65],
  ])('%s → %i (max 64)', (text, depth) => {
    expect(jsonNestingDepth(text, 64)).toBe(depth)
  })

  it('agrees with a recursive count on random JSON values (seeded)', () => {
    const depthOf = (v: unknown): number => (Array.isArray(v) ? 1 + Math.max(0, ...v.map(depthOf)) : v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depthOf)) : 0)
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 12 }), (v) => jsonNestingDepth(JSON.stringify(v), 1000) === depthOf(v)), { numRuns: 2000, seed: 1313 })
  })
})

describe('nonFiniteProblem and parseBoundedJson', () => {
  it('names the path of the first number too large to represent', () => {
    expect(nonFiniteProblem(JSON.parse('{"items":[{"input":{"max_tokens":1e999}}]}'))?.param).toBe('items[0].input.max_tokens')
    expect(nonFiniteProblem(JSON.parse('[1,-1e400]'))?.param).toBe('[1]')
    expect(nonFiniteProblem({ a: [1, 2, { b: 3 }] })).toBeNull()
  })

  it('refuses deep text before parsing and returns the value otherwise', () => {
    expect(parseBoundedJson('['.repeat(100_000) + ']'.repeat(100_000), 64)).toMatchObject({ ok: false, problem: { kind: 'too_deep' } })
    expect(parseBoundedJson('{"a":[1,2]}', 64)).toEqual({ ok: true, value: { a: [1, 2] } })
    expect(() => parseBoundedJson('{"a":', 64)).toThrow(SyntaxError)
  })
})

describe('valueProblem', () => {
  it('agrees with the text scan on depth at every limit (seeded)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 10 }), fc.integer({ min: 1, max: 10 }), (v, max) => (valueProblem(v, max)?.kind === 'too_deep') === jsonNestingDepth(JSON.stringify(v), max) > max),
      { numRuns: 3000, seed: 1414 },
    )
  })

  it('finds a non-finite number anywhere, with its path, and walks 1,000,000 levels without recursion', () => {
    expect(valueProblem(JSON.parse('{"a":[{"b":1e999}]}'), 64)).toMatchObject({ kind: 'not_finite', param: 'a[0].b' })
    expect(valueProblem(JSON.parse('['.repeat(1_000_000) + ']'.repeat(1_000_000)), 64)).toMatchObject({ kind: 'too_deep' })
    expect(valueProblem({ a: [1, { b: 'x' }] }, 64)).toBeNull()
  })
})
