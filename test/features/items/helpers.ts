/** Shared fixtures for the items tests: a temp dir, the default catalog, line builders. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildCatalog } from '../../../src/features/catalog/build'
import { ingestJsonlFile, type IngestOptions, type IngestResult } from '../../../src/features/items'

export const catalog = buildCatalog()

const dirs: string[] = []

/** A fresh temp dir per call; `removeTempDirs` (in afterAll) deletes them. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'br-items-'))
  dirs.push(dir)
  return dir
}

export function removeTempDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
}

/** Writes `content` (lines, or raw text) to a temp file and ingests it. */
export async function ingestText(content: string | unknown[], opts: Partial<IngestOptions> = {}): Promise<IngestResult> {
  const text = typeof content === 'string' ? content : content.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n'
  const path = join(tempDir(), 'input.jsonl')
  await Bun.write(path, text)
  return ingestJsonlFile(path, { catalog, maxItems: 5000, lineBytes: 4 * 1024 * 1024, ...opts })
}

/** A valid native chat line. */
export function nativeChat(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { customer_item_id: id, operation: 'responses', model: 'gpt-4o-mini', input: { messages: [{ role: 'user', content: `Hello ${id}` }], ...extra } }
}

/** A valid OpenAI chat-completions request line. */
export function openaiChat(id: string, body: Record<string, unknown> = {}): Record<string, unknown> {
  return { custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Hi ${id}` }], ...body } }
}
