/**
 * Items as work: their lease kind, the two claims runners make (an offering's due items for the
 * request runner, a lane's for the batch runner), and turning a claimed item into the provider
 * request both runners send — its line read back from the input file by byte range (one read per
 * group), images resolved from the org's files.
 */
import type { Deps } from '../../deps'
import type { ProviderRequest } from '../../providers/types'
import { getFileForOrg } from '../files/index'
import { itemsTable, itemTransitionFrom, readItemLines, toProviderRequest, type ItemRow } from '../items/index'
import { defineClaim, sqlList, type LeaseKind } from './leases'

/** Items whose lease lapsed go back to the queue, due now (their call may or may not have run). */
export const ITEM_LEASES: LeaseKind & { table: typeof itemsTable } = {
  name: 'items',
  table: itemsTable,
  giveBack: { set: `status = 'queued', next_attempt_at = $now`, where: `status IN (${sqlList(itemTransitionFrom(['running'], 'queued'))})` },
  nudge: 'dispatch-items',
}

/** What a runner needs of a claimed item. */
export const CLAIMED_FIELDS = ['id', 'batchId', 'laneId', 'offset', 'length', 'operation', 'url', 'model', 'attempts', 'leaseId'] as const
export type ClaimedItem = Pick<ItemRow, (typeof CLAIMED_FIELDS)[number]>

const DUE = `status IN (${sqlList(itemTransitionFrom(['queued'], 'running'))}) AND (next_attempt_at IS NULL OR next_attempt_at <= $now)`

/** An offering's due queued items, oldest first (request runner). Params: `offeringId`. */
export const claimOfferingItems = defineClaim({ kind: ITEM_LEASES, where: `offering_id = $offeringId AND ${DUE}`, orderBy: 'next_attempt_at', set: `status = 'running'`, attemptColumn: 'attempts', returning: CLAIMED_FIELDS })

/** A lane's due queued items in input order (batch runner: one provider job's worth). Params: `laneId`, `offeringId`. */
export const claimLaneItems = defineClaim({ kind: ITEM_LEASES, where: `lane_id = $laneId AND offering_id = $offeringId AND ${DUE}`, orderBy: 'seq', set: `status = 'running'`, attemptColumn: 'attempts', returning: CLAIMED_FIELDS })

/**
 * Items leased to an edge node: the same rows and give-back as ITEM_LEASES, under a kind of their
 * own because their holder is another process. A router restart rescues every lease its own
 * runners held (nobody is left to finish them) but leaves these to lapse on the clock: the nodes
 * are still working and their results are still taken.
 */
export const NODE_ITEM_LEASES: LeaseKind & { table: typeof itemsTable } = { ...ITEM_LEASES, name: 'node-items' }

/** What an edge node's claim returns: the runner's fields and the lane's offering (its served model). */
export const NODE_CLAIMED_FIELDS = [...CLAIMED_FIELDS, 'offeringId'] as const
export type NodeClaimedItem = Pick<ItemRow, (typeof NODE_CLAIMED_FIELDS)[number]>

/**
 * Due queued items on the edge lanes a node serves, oldest first (a fleet lease, contract §11):
 * the same item lease as the runners', held by the node (`holder` = node id), fenced by
 * `attempts`, and the node recorded on the item. Params: `offerings` (JSON array of offering
 * ids), `nodeId`.
 */
// Ordered as items_dispatch_idx is (offering, status, due time): oldest first per lane, and no
// sort of every queued item per claim (ordering by due time across lanes did that: a temp B-tree).
export const claimNodeItems = defineClaim({ kind: NODE_ITEM_LEASES, where: `offering_id IN (SELECT value FROM json_each($offerings)) AND ${DUE}`, orderBy: 'offering_id, status, next_attempt_at', set: `status = 'running', node_id = $nodeId`, attemptColumn: 'attempts', returning: NODE_CLAIMED_FIELDS })

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
export async function readLines(input: BatchInput, items: readonly Pick<ClaimedItem, 'id' | 'offset' | 'length'>[]): Promise<Map<string, LineResult>> {
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

/** The provider request of a claimed item from its line; throws when the line no longer validates or an image is missing. */
export async function requestOf(deps: Deps, item: ClaimedItem, read: LineResult | undefined, input: BatchInput, upstreamModel: string): Promise<ProviderRequest> {
  if (!read || !read.ok) throw read?.error ?? new Error(`line of item ${item.id} was not read`)
  return toProviderRequest(item.id, item, read.line, upstreamModel, async (fileId) => {
    const file = getFileForOrg(deps, input.orgId, fileId)
    const bytes = await Bun.file(file.absolutePath).arrayBuffer()
    return { dataUrl: `data:${file.row.contentType};base64,${Buffer.from(bytes).toString('base64')}` }
  })
}
