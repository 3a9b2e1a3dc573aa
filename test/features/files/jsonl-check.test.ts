import { describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { JsonlChecker } from '../../../src/features/files/jsonl-check'

const LIMITS = { maxLines: 10, lineBytes: 64 }

function check(chunks: Uint8Array[], limits = LIMITS): { lines: number; code?: string; line?: unknown; message?: string } {
  const checker = new JsonlChecker(limits)
  for (const c of chunks) checker.push(c)
  checker.end()
  const e = checker.error
  return e ? { lines: checker.lineCount, code: e.code, line: e.details?.line, message: e.message } : { lines: checker.lineCount }
}

const enc = (s: string) => new TextEncoder().encode(s)

describe('JsonlChecker', () => {
  it.each([
    ['three lines with a trailing newline', '{"a":1}\n{"b":2}\n{"c":3}\n', { lines: 3 }],
    ['a last line without newline', '{"a":1}\n{"b":2}', { lines: 2 }],
    ['CRLF endings', '{"a":1}\r\n{"b":2}\r\n', { lines: 2 }],
    ['bad JSON on line 2', '{"a":1}\n{"b":\n{"c":3}\n', { code: 'invalid_request', line: 2 }],
    ['an array line', '[1]\n', { code: 'invalid_request', line: 1 }],
    ['a string line', '"x"\n', { code: 'invalid_request', line: 1 }],
    ['a blank interior line', '{"a":1}\n   \n{"c":3}\n', { code: 'invalid_request', line: 2 }],
    ['two trailing newlines', '{"a":1}\n\n', { code: 'invalid_request', line: 2 }],
    ['an empty file', '', { code: 'invalid_request', lines: 0 }],
    ['too many lines', '{}\n'.repeat(11), { code: 'payload_too_large', line: 11 }],
    ['a line over lineBytes', `{"a":"${'x'.repeat(70)}"}\n`, { code: 'invalid_request', line: 1 }],
    ['a final line over lineBytes without newline', `{}\n{"a":"${'x'.repeat(70)}"}`, { code: 'invalid_request', line: 2 }],
  ])('%s', (_, text, expected) => {
    expect(check([enc(text)])).toMatchObject(expected)
  })

  it('names a line with invalid UTF-8, also when the bad byte straddles chunks', () => {
    const bytes = Buffer.concat([enc('{"a":1}\n{"b":"'), Buffer.from([0xc3]), enc('"}\n')])
    expect(check([bytes])).toMatchObject({ code: 'invalid_request', line: 2, message: expect.stringContaining('UTF-8') })
    const good = Buffer.concat([enc('{"a":"'), Buffer.from([0xc3]), Buffer.from([0xa9]), enc('"}\n')])
    expect(check([good.subarray(0, 7), good.subarray(7)])).toEqual({ lines: 1 })
  })

  it('gives the same verdict however the bytes are chunked (random splits)', () => {
    const line = fc.oneof(
      fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.integer(), fc.string({ maxLength: 8 }))).map((o) => JSON.stringify(o)),
      fc.constantFrom('', 'nope', '[1]', '{"x":', '{"é":"ü"}'),
    )
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), fc.boolean(), fc.array(fc.nat(), { maxLength: 20 }), (lines, trailing, cuts) => {
        const bytes = Buffer.from(lines.join('\n') + (trailing ? '\n' : ''))
        const whole = check([bytes])
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
        const pieces: Uint8Array[] = []
        let last = 0
        for (const p of [...points, bytes.length]) {
          pieces.push(bytes.subarray(last, p))
          last = p
        }
        expect(check(pieces)).toEqual(whole)
      }),
      { numRuns: 500 },
    )
  })
})
