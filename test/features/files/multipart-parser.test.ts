import { describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { boundaryOf, parseMultipart, type MultipartEvent } from '../../../src/features/files/multipart-parser'
import { AppError } from '../../../src/lib/errors'

const BOUNDARY = 'openai-x7Rk2'
const FILE_BYTES = Buffer.from(`{"a":1}\r\n--${BOUNDARY.slice(0, 5)}not-a-boundary\r\n\r\n--\n{"b":"é"}\n`)
const BODY = Buffer.concat([
  Buffer.from(`preamble to ignore\r\n--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="r\\"q.jsonl"\r\nContent-Type: application/octet-stream\r\n\r\n`),
  FILE_BYTES,
  Buffer.from(`\r\n--${BOUNDARY}\r\ncontent-disposition: form-data; name="expires_after[seconds]"\r\n\r\n3600\r\n--${BOUNDARY}--\r\nepilogue`),
])

interface Part {
  name: string
  filename: string | null
  contentType: string | null
  data: Buffer
}

async function collect(chunks: Uint8Array[], boundary = BOUNDARY): Promise<Part[]> {
  async function* source() {
    yield* chunks
  }
  const parts: Part[] = []
  const pieces: Buffer[] = []
  for await (const event of parseMultipart(source(), boundary) as AsyncGenerator<MultipartEvent>) {
    if (event.kind === 'part') parts.push({ name: event.name, filename: event.filename, contentType: event.contentType, data: Buffer.alloc(0) })
    else if (event.kind === 'data') pieces.push(Buffer.from(event.chunk))
    else {
      parts.at(-1)!.data = Buffer.concat(pieces)
      pieces.length = 0
    }
  }
  return parts
}

function splitAt(bytes: Buffer, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const out: Uint8Array[] = []
  let last = 0
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(last, p))
    last = p
  }
  return out
}

describe('parseMultipart', () => {
  it('yields parts with names, filenames, types and exact bytes', async () => {
    const parts = await collect([BODY])
    expect(parts.map((p) => [p.name, p.filename, p.contentType])).toEqual([
      ['file', 'r"q.jsonl', 'application/octet-stream'],
      ['expires_after[seconds]', null, null],
    ])
    expect(parts[0]!.data.equals(FILE_BYTES)).toBe(true)
    expect(parts[1]!.data.toString()).toBe('3600')
  })

  it('finds boundaries split across any chunk edges (random splits)', async () => {
    const expected = await collect([BODY])
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 40 }), async (cuts) => {
        expect(await collect(splitAt(BODY, cuts))).toEqual(expected)
      }),
      { numRuns: 1000 },
    )
    expect(await collect([...BODY].map((b) => new Uint8Array([b])))).toEqual(expected)
  })

  it('decodes an RFC 5987 filename*', async () => {
    const body = Buffer.from(`--b\r\nContent-Disposition: form-data; name="file"; filename="x"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf\r\n\r\nhi\r\n--b--`)
    expect((await collect([body], 'b'))[0]!.filename).toBe('résumé.pdf')
  })

  it.each([
    ['no closing boundary', `--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nx`],
    ['a part without Content-Disposition', `--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--`],
    ['a part without a name', `--b\r\nContent-Disposition: form-data; filename="a"\r\n\r\nx\r\n--b--`],
    ['no boundary at all', 'just some bytes'],
  ])('throws 400 invalid_request for %s', async (_, text) => {
    const err = await collect([Buffer.from(text)], 'b').catch((e) => e)
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).code).toBe('invalid_request')
  })

  it('reads the boundary parameter, quoted or not, and refuses a missing one', () => {
    expect(boundaryOf('multipart/form-data; boundary=abc')).toBe('abc')
    expect(boundaryOf('multipart/form-data; charset=utf-8; boundary="a b"')).toBe('a b')
    expect(() => boundaryOf('multipart/form-data')).toThrow(AppError)
  })
})
