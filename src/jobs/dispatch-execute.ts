/** Executes one claimed item: read its line from the input file, build the provider request, call. */
import { eq } from 'drizzle-orm'
import type { Deps } from '../deps'
import { batchesTable, type ItemRow } from '../features/batches/index'
import { getFileForOrg } from '../features/files/index'
import { readItemLines, toProviderRequest } from '../features/items/index'
import type { ItemOutcome, ProviderEndpoint, RequestAdapter } from '../providers/types'

/** Never throws: every failure becomes an ItemOutcome the outcome recorder understands. */
export async function executeItems(deps: Deps, adapter: RequestAdapter, endpoint: ProviderEndpoint, upstreamModel: string, item: ItemRow, signal: AbortSignal): Promise<ItemOutcome> {
  try {
    const batch = deps.db.select({ inputPath: batchesTable.inputPath, orgId: batchesTable.orgId }).from(batchesTable).where(eq(batchesTable.id, item.batchId)).get()
    if (!batch) throw new Error(`batch ${item.batchId} vanished`)
    const [line] = await readItemLines(batch.inputPath, [{ offset: item.offset, length: item.length }])
    const request = await toProviderRequest(item.id, { operation: item.operation as 'responses', url: item.url as '/v1/chat/completions', model: item.model }, line, upstreamModel, async (fileId) => {
      const file = getFileForOrg(deps, batch.orgId, fileId)
      const bytes = await Bun.file(file.absolutePath).arrayBuffer()
      return { dataUrl: `data:${file.row.contentType};base64,${Buffer.from(bytes).toString('base64')}` }
    })
    return await adapter.call(endpoint, request, signal)
  } catch (err) {
    deps.log.warn('item could not be sent', { item_id: item.id, error: err instanceof Error ? err.message : String(err) })
    return { ok: false, itemId: item.id, error: { kind: 'invalid_request', retryable: false, message: 'The item could not be turned into a provider request (its input file or image may be missing).' } }
  }
}
