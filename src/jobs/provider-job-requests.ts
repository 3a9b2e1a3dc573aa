/**
 * Turning claimed items into a batch adapter's entries: read their lines (one read per group),
 * build each provider request (images resolved), give each a provider-safe custom id, and size it
 * with the adapter's `encode`. Items that cannot be sent become failed outcomes right here.
 */
import type { Deps } from '../deps'
import { getFileForOrg } from '../features/files/index'
import { toProviderRequest } from '../features/items/index'
import type { SizedEntry } from '../providers/batch-split'
import type { BatchAdapter, ItemOutcome } from '../providers/types'
import { readLines, type BatchInput, type ClaimedItem } from './dispatch-execute'

export interface BuiltEntries {
  entries: SizedEntry[]
  /** Items that cannot be sent (unreadable line, untranslatable body): never retried. */
  failures: ItemOutcome[]
}

/** Builds entries in the order of `items`; `customIds` keeps ids already recorded for a job (resubmission). */
export async function buildEntries(deps: Deps, adapter: BatchAdapter, items: readonly ClaimedItem[], input: BatchInput, upstreamModel: string, customIds?: ReadonlyMap<string, string>): Promise<BuiltEntries> {
  const lines = await readLines(input, items)
  const out: BuiltEntries = { entries: [], failures: [] }
  const fail = (itemId: string, message: string) => out.failures.push({ ok: false, itemId, error: { kind: 'invalid_request', retryable: false, message } })
  for (const [index, item] of items.entries()) {
    const read = lines.get(item.id)
    if (!read || !read.ok) {
      fail(item.id, 'The item could not be turned into a provider request (its input line could not be read).')
      continue
    }
    try {
      const request = await toProviderRequest(item.id, { operation: item.operation as 'responses', url: item.url as '/v1/chat/completions', model: item.model }, read.line, upstreamModel, async (fileId) => {
        const file = getFileForOrg(deps, input.orgId, fileId)
        const bytes = await Bun.file(file.absolutePath).arrayBuffer()
        return { dataUrl: `data:${file.row.contentType};base64,${Buffer.from(bytes).toString('base64')}` }
      })
      const entry = { customId: customIds?.get(item.id) ?? adapter.customIdFor(item.id, index), request }
      const encoded = adapter.encode(entry)
      if (encoded.ok) out.entries.push({ entry, bytes: encoded.bytes })
      else out.failures.push({ ok: false, itemId: item.id, error: encoded.error })
    } catch (err) {
      deps.log.warn('item could not be sent', { item_id: item.id, error: err instanceof Error ? err.message : String(err) })
      fail(item.id, 'The item could not be turned into a provider request (its input file or image may be missing).')
    }
  }
  return out
}
