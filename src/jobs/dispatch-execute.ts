/**
 * Executes claimed items: read their lines from the input file (one positional read per claim
 * group, not one open per item), build each provider request, call.
 */
import type { Deps } from '../deps'
import type { ItemRow } from '../features/items/index'
import { getFileForOrg } from '../features/files/index'
import { readItemLines, toProviderRequest } from '../features/items/index'
import type { ItemOutcome, ProviderEndpoint, RequestAdapter } from '../providers/types'

/** What dispatch needs of a claimed item row. */
export type ClaimedItem = Pick<ItemRow, 'id' | 'batchId' | 'laneId' | 'offset' | 'length' | 'operation' | 'url' | 'model' | 'attempts'>

/** Where a batch's input lives and whose files its image parts may name. */
export interface BatchInput {
  inputPath: string
  orgId: string
}

/** An item's parsed line, or why it could not be read. */
export type LineResult = { ok: true; line: unknown } | { ok: false; error: unknown }

/**
 * Reads the lines of `items` (all of one batch) with one `readItemLines` call; when that fails
 * (a range outside a changed file), each line is read on its own so only the bad items fail.
 */
export async function readLines(input: BatchInput, items: readonly ClaimedItem[]): Promise<Map<string, LineResult>> {
  const out = new Map<string, LineResult>()
  try {
    const lines = await readItemLines(input.inputPath, items.map((i) => ({ offset: i.offset, length: i.length })))
    items.forEach((item, k) => out.set(item.id, { ok: true, line: lines[k] }))
  } catch {
    await Promise.all(
      items.map(async (item) => {
        try {
          const [line] = await readItemLines(input.inputPath, [{ offset: item.offset, length: item.length }])
          out.set(item.id, { ok: true, line })
        } catch (error) {
          out.set(item.id, { ok: false, error })
        }
      }),
    )
  }
  return out
}

/** Never throws: every failure becomes an ItemOutcome the outcome recorder understands. */
export async function executeItem(
  deps: Deps,
  adapter: RequestAdapter,
  endpoint: ProviderEndpoint,
  upstreamModel: string,
  item: ClaimedItem,
  input: BatchInput,
  lines: Promise<Map<string, LineResult>>,
  signal: AbortSignal,
): Promise<ItemOutcome> {
  try {
    const read = (await lines).get(item.id)
    if (!read || !read.ok) throw read?.error ?? new Error(`line of item ${item.id} was not read`)
    const request = await toProviderRequest(item.id, { operation: item.operation as 'responses', url: item.url as '/v1/chat/completions', model: item.model }, read.line, upstreamModel, async (fileId) => {
      const file = getFileForOrg(deps, input.orgId, fileId)
      const bytes = await Bun.file(file.absolutePath).arrayBuffer()
      return { dataUrl: `data:${file.row.contentType};base64,${Buffer.from(bytes).toString('base64')}` }
    })
    return await adapter.call(endpoint, request, signal)
  } catch (err) {
    deps.log.warn('item could not be sent', { item_id: item.id, error: err instanceof Error ? err.message : String(err) })
    return { ok: false, itemId: item.id, error: { kind: 'invalid_request', retryable: false, message: 'The item could not be turned into a provider request (its input file or image may be missing).' } }
  }
}
