import { describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { jsonlLines, stripBom, type JsonlLine } from '../../src/lib/jsonl'

const enc = new TextEncoder()

/** A stream that delivers `bytes` cut at the given positions. */
function streamOf(bytes: Uint8Array, cuts: number[] = []): ReadableStream<Uint8Array> {
  const points = [...new Set(cuts.filter((c) => c > 0 && c < bytes.length))].sort((a, b) => a - b)
  return new ReadableStream({
    start(controller) {
      let at = 0
      for (const p of [...points, bytes.length]) {
        controller.enqueue(bytes.slice(at, p))
        at = p
      }
      controller.close()
    },
  })
}

async function collect(stream: ReadableStream<Uint8Array>, maxLineBytes?: number): Promise<JsonlLine[]> {
  const out: JsonlLine[] = []
  for await (const l of jsonlLines(stream, { maxLineBytes })) out.push(l)
  return out
}

// Lines of ASCII, 2-, 3- and 4-byte characters (never '\n').
const lineArb = fc.array(fc.constantFrom('a', 'Z', ' ', '{', '"', 'é', 'ß', '東', '京', '😀', '𝄞', '\r', '\t'), { maxLength: 40 }).map((cs) => cs.join(''))

describe('jsonlLines', () => {
  it('gives exact byte offsets and lengths for any chunking (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(lineArb, { minLength: 1, maxLength: 30 }), fc.boolean(), fc.array(fc.nat(), { maxLength: 20 }), async (lines, trailingNewline, rawCuts) => {
        const text = lines.join('\n') + (trailingNewline ? '\n' : '')
        const bytes = enc.encode(text)
        const cuts = rawCuts.map((c) => (bytes.length === 0 ? 0 : c % bytes.length))
        const got = await collect(streamOf(bytes, cuts))
        // The empty segment after a final '\n' is not a line; everything else is.
        const expected = trailingNewline || lines[lines.length - 1] !== '' ? lines : lines.slice(0, -1)
        expect(got.map((l) => l.text)).toEqual(expected)
        for (const [i, l] of got.entries()) {
          expect(l.line).toBe(i + 1)
          expect(new TextDecoder().decode(bytes.subarray(l.offset, l.offset + l.length))).toBe(expected[i]!)
        }
      }),
      { numRuns: 300, seed: 42 },
    )
  })

  it.each([
    ['empty stream', '', []],
    ['single line without newline', '{"a":1}', ['{"a":1}']],
    ['single line with newline', '{"a":1}\n', ['{"a":1}']],
    ['blank lines are yielded', 'a\n\nb\n', ['a', '', 'b']],
    ['CR is kept in the line', 'a\r\nb', ['a\r', 'b']],
  ] as const)('%s', async (_name, input, expected) => {
    expect((await collect(streamOf(enc.encode(input), [1, 3]))).map((l) => l.text)).toEqual([...expected])
  })

  it('reports lines over maxLineBytes as too_long with exact ranges, even across chunks', async () => {
    const text = 'short\n' + 'x'.repeat(50) + '\nok\n' + 'é'.repeat(30)
    const got = await collect(streamOf(enc.encode(text), [3, 10, 20, 40, 59, 61, 80]), 20)
    expect(got.map((l) => [l.line, l.offset, l.length, l.text, l.error])).toEqual([
      [1, 0, 5, 'short', undefined],
      [2, 6, 50, null, 'too_long'],
      [3, 57, 2, 'ok', undefined],
      [4, 60, 60, null, 'too_long'],
    ])
  })

  it('reports invalid UTF-8 as invalid_utf8 and carries on', async () => {
    const bytes = new Uint8Array([0x61, 0x0a, 0xff, 0xfe, 0x0a, 0x62])
    const got = await collect(streamOf(bytes))
    expect(got.map((l) => [l.text, l.error ?? null])).toEqual([['a', null], [null, 'invalid_utf8'], ['b', null]])
  })

  it('keeps a BOM in the text (and the range); stripBom removes it', async () => {
    const [first] = await collect(streamOf(enc.encode('\uFEFF{"a":1}\n')))
    expect(first!.length).toBe(10)
    expect(stripBom(first!.text!)).toBe('{"a":1}')
  })
})

describe('jsonlLines early exit', () => {
  it('cancels the stream when the consumer stops early', async () => {
    let cancelled = false
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(enc.encode('a\nb\n'))
      },
      cancel() {
        cancelled = true
      },
    })
    for await (const l of jsonlLines(stream)) if (l.line === 3) break
    expect(cancelled).toBe(true)
  })
})
