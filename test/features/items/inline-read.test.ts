import { afterAll, describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { ingestJsonlFile, readItemLines, writeInlineItemsFile } from '../../../src/features/items'
import { catalog, nativeChat, openaiChat, tempDir, removeTempDirs } from './helpers'

afterAll(removeTempDirs)

const OPTS = { catalog, maxItems: 5000, lineBytes: 4 * 1024 * 1024 }

describe('writeInlineItemsFile', () => {
  it('writes one JSON line per item that ingest reads back as the same items', async () => {
    const items = [nativeChat('a'), openaiChat('b'), { ...nativeChat('c'), input: { messages: [{ role: 'user', content: 'line\nbreak, Grüße 東京 😀 \u2028' }] } }]
    const dir = join(tempDir(), 'nested', 'tmp')
    const { path, bytes } = await writeInlineItemsFile(dir, items)
    expect(path.startsWith(dir)).toBe(true)
    expect(statSync(path).size).toBe(bytes)
    expect(await Bun.file(path).text()).toBe(items.map((i) => `${JSON.stringify(i)}\n`).join(''))
    const result = await ingestJsonlFile(path, OPTS)
    expect(result.problems).toEqual([])
    expect(result.items.map((d) => d.customerItemId)).toEqual(['a', 'b', 'c'])
    expect(await readItemLines(path, result.items)).toEqual(items)
  })

  it('numbers bad inline items by their position', async () => {
    const { path } = await writeInlineItemsFile(tempDir(), [nativeChat('a'), 42, undefined])
    const result = await ingestJsonlFile(path, OPTS)
    expect(result.problems.map((p) => [p.line, p.code])).toEqual([[2, 'invalid_json'], [3, 'invalid_json']])
  })

  it('writes an empty file for no items, which ingest calls empty_input', async () => {
    const { path, bytes } = await writeInlineItemsFile(tempDir(), [])
    expect(bytes).toBe(0)
    expect((await ingestJsonlFile(path, OPTS)).problems.map((p) => p.code)).toEqual(['empty_input'])
  })
})

describe('readItemLines', () => {
  it('returns the right objects for random subsets in random order (fast-check)', async () => {
    const items = Array.from({ length: 300 }, (_, i) => ({ ...nativeChat(`id-${i}`), input: { messages: [{ role: 'user', content: `${'é東😀'.repeat(i % 7)} ${'x'.repeat((i * 7919) % 3000)}` }] } }))
    const { path } = await writeInlineItemsFile(tempDir(), items)
    const { items: drafts } = await ingestJsonlFile(path, OPTS)
    expect(drafts).toHaveLength(300)
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat({ max: 299 }), { maxLength: 60 }), async (picks) => {
        const got = await readItemLines(path, picks.map((i) => ({ offset: drafts[i]!.offset, length: drafts[i]!.length })))
        expect(got).toEqual(picks.map((i) => items[i]))
      }),
      { numRuns: 50, seed: 7 },
    )
  })

  it('reads ranges far apart (separate reads) and a BOM-led first line', async () => {
    const far = { ...nativeChat('far'), input: { messages: [{ role: 'user', content: 'y'.repeat(200_000) }] } }
    const text = `\uFEFF${JSON.stringify(nativeChat('first'))}\n${JSON.stringify(far)}\n${JSON.stringify(nativeChat('last'))}\n`
    const path = join(tempDir(), 'bom.jsonl')
    await Bun.write(path, text)
    const { items } = await ingestJsonlFile(path, OPTS)
    const got = (await readItemLines(path, [items[2]!, items[0]!])) as Array<{ customer_item_id: string }>
    expect(got.map((g) => g.customer_item_id)).toEqual(['last', 'first'])
  })

  it('throws when a range lies past the end of the file', async () => {
    const { path, bytes } = await writeInlineItemsFile(tempDir(), [nativeChat('a')])
    await expect(readItemLines(path, [{ offset: bytes, length: 10 }])).rejects.toThrow()
  })
})
