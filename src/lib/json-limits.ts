/**
 * Limits on untrusted JSON text, checked without recursion so that hostile input cannot overflow
 * the stack: how deep arrays and objects nest, and numbers too large to represent (`1e999`
 * parses to Infinity, which JSON.stringify would then silently write back as `null`).
 */

/** What is wrong with a JSON value, and where (`items[0].input.max_tokens`; '' for the root). */
/** The nesting limit when config gives none: deep enough for any real request (JSON schemas, tools), far from the stack's limit. */
export const DEFAULT_JSON_DEPTH = 64

export interface JsonLimitProblem {
  kind: 'too_deep' | 'not_finite'
  param: string
  message: string
}

const OPEN_BRACE = 0x7b
const OPEN_BRACKET = 0x5b
const CLOSE_BRACE = 0x7d
const CLOSE_BRACKET = 0x5d
const QUOTE = 0x22
const BACKSLASH = 0x5c

/**
 * The deepest nesting of arrays and objects in `text`, scanning at most until `max` is passed
 * (then `max + 1`). Brackets inside strings do not count. Malformed text gives a meaningless but
 * finite answer: JSON.parse reports it.
 */
export function jsonNestingDepth(text: string, max: number): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === BACKSLASH) i++
      else if (c === QUOTE) inString = false
    } else if (c === QUOTE) inString = true
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > deepest && (deepest = depth) > max) return deepest
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--
  }
  return deepest
}

/** The problem of text nested deeper than `maxDepth`, or null. */
export function depthProblem(text: string, maxDepth: number): JsonLimitProblem | null {
  // Fewer characters than levels cannot be too deep; most bodies end here without a scan.
  if (text.length <= maxDepth || jsonNestingDepth(text, maxDepth) <= maxDepth) return null
  return { kind: 'too_deep', param: '', message: `JSON nested more than ${maxDepth} levels deep is not accepted; flatten the structure.` }
}

/**
 * The first number in a parsed value that is not finite (a literal too large for a double), with
 * its path; null when there is none. Walks with an explicit stack, so any depth is safe.
 */
export function nonFiniteProblem(value: unknown): JsonLimitProblem | null {
  const stack: Array<{ value: unknown; path: string }> = [{ value, path: '' }]
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return { kind: 'not_finite', param: path, message: `${path || 'The value'} is a number too large to represent; send a finite number.` }
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: `${path}[${i}]` })
    } else if (v !== null && typeof v === 'object') {
      for (const [key, inner] of Object.entries(v).reverse()) stack.push({ value: inner, path: path === '' ? key : `${path}.${key}` })
    }
  }
  return null
}

/**
 * The first limit a parsed value breaks — nested deeper than `maxDepth`, or a non-finite number
 * (with its path) — or null. One iterative pass over the value, without building paths unless a
 * problem is found: cheap enough for every line of a 50,000-line batch input.
 */
export function valueProblem(value: unknown, maxDepth: number): JsonLimitProblem | null {
  const values: unknown[] = [value]
  const depths: number[] = [0]
  let hasNonFinite = false
  while (values.length > 0) {
    const v = values.pop()
    const depth = depths.pop()!
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) hasNonFinite = true
    } else if (v !== null && typeof v === 'object') {
      if (depth + 1 > maxDepth) return { kind: 'too_deep', param: '', message: `JSON nested more than ${maxDepth} levels deep is not accepted; flatten the structure.` }
      for (const inner of Array.isArray(v) ? v : Object.values(v)) {
        if (inner !== null && typeof inner === 'object') {
          values.push(inner)
          depths.push(depth + 1)
        } else if (typeof inner === 'number' && !Number.isFinite(inner)) hasNonFinite = true
      }
    }
  }
  return hasNonFinite ? nonFiniteProblem(value) : null
}

/**
 * Parses untrusted JSON text: invalid → SyntaxError thrown; nested deeper than `maxDepth` or
 * holding a non-finite number → problem. Returns the value otherwise. (JSON.parse itself copes
 * with any depth; what overflows is the recursion of whatever handles the value next.)
 */
export function parseBoundedJson(text: string, maxDepth: number): { ok: true; value: unknown } | { ok: false; problem: JsonLimitProblem } {
  const value: unknown = JSON.parse(text)
  const problem = valueProblem(value, maxDepth)
  return problem ? { ok: false, problem } : { ok: true, value }
}
