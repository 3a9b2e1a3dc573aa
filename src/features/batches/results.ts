/**
 * Result rows (contract §5): finished items in input order, paged by an opaque seq cursor; and the
 * artifacts written from them once the batch finishes (below).
 */
import { and, asc, eq, getTableColumns, gt } from 'drizzle-orm'
import type { Statement } from 'bun:sqlite'
import type { Db } from '../../db/client'
import type { Deps } from '../../deps'
import { AppError } from '../../lib/errors'
import { toIso, toUnix } from '../../lib/clock'
import { formatMicros, moneyObject } from '../../lib/money'
import { itemsTable, type ItemRow, type ItemStatus, readItemLines } from '../items/index'
import { mkdirSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import { randomBase62 } from '../../lib/ids'
import { storeFileFromPath } from '../files/index'
import { chatCompletionToResponse, isChatCompletion } from './responses-shape'
import { routingReceipt } from '../routing/index'
import type { BatchRow } from './table'

const FAILED_STATUSES = ['failed', 'cancelled', 'expired'] as const satisfies readonly ItemStatus[]
const FINISHED_STATUSES = ['completed', ...FAILED_STATUSES] as const

/** One finished item as a Result row; cancelled and expired items are failures with their error code. */
export function presentResult(item: ItemRow) {
  return { ...resultHead(item), output: item.output ? (JSON.parse(item.output) as unknown) : null, ...resultTail(item) }
}

/** The Result row's fields before `output`, in wire order. */
function resultHead(item: ItemRow) {
  return {
    customer_item_id: item.customerItemId,
    custom_id: item.customerItemId,
    batch_item_id: item.id,
    status: item.status === 'completed' ? ('completed' as const) : ('failed' as const),
    operation: item.operation,
    model: item.model,
    provider: item.provider,
    offering_id: item.offeringId,
    /** The edge node that ran it (fleet lanes); null elsewhere. */
    node_id: item.nodeId,
    attempts: item.attempts,
  }
}

/** The Result row's fields after `output`, in wire order. */
function resultTail(item: ItemRow) {
  const inputTokens = item.inputTokens ?? 0
  const outputTokens = item.outputTokens ?? 0
  return {
    error: item.status === 'completed' ? null : { code: item.errorCode ?? 'provider_error', message: item.errorMessage ?? 'The item failed.' },
    usage: { input_tokens: inputTokens, output_tokens: outputTokens, total_tokens: inputTokens + outputTokens },
    cost: moneyObject(item.costMicros ?? 0),
    completed_at: item.completedAt === null ? null : toIso(item.completedAt),
  }
}

/** JSON text of a string or null. */
const str = (v: string | null) => (v === null ? 'null' : JSON.stringify(v))

/**
 * The Result row as JSON text, byte for byte `JSON.stringify(presentResult(item))` (a test holds
 * them equal), written field by field: the stored output is spliced in as stored — it was written
 * by JSON.stringify, so parsing and re-serialising it (most of a page's cost at a few KB an
 * output) would only reproduce it — and no intermediate objects are built for the rest.
 */
export function resultJson(item: ItemRow): string {
  const inputTokens = item.inputTokens ?? 0
  const outputTokens = item.outputTokens ?? 0
  const completed = item.status === 'completed'
  const id = str(item.customerItemId)
  const error = completed ? 'null' : `{"code":${str(item.errorCode ?? 'provider_error')},"message":${str(item.errorMessage ?? 'The item failed.')}}`
  return (
    `{"customer_item_id":${id},"custom_id":${id},"batch_item_id":${str(item.id)},"status":"${completed ? 'completed' : 'failed'}",` +
    `"operation":${str(item.operation)},"model":${str(item.model)},"provider":${str(item.provider)},"offering_id":${str(item.offeringId)},"node_id":${str(item.nodeId)},"attempts":${item.attempts},` +
    `"output":${item.output ?? 'null'},"error":${error},` +
    `"usage":{"input_tokens":${inputTokens},"output_tokens":${outputTokens},"total_tokens":${inputTokens + outputTokens}},` +
    `"cost":{"currency":"usd","amount":${str(formatMicros(item.costMicros ?? 0))}},"completed_at":${item.completedAt === null ? 'null' : `"${toIso(item.completedAt)}"`}}`
  )
}

function encodeCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`).toString('base64url')
}

function decodeCursor(cursor: string): number {
  const match = /^seq:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString())
  if (!match) throw new AppError('validation_failed', { message: 'cursor is not a value returned as next_cursor by this endpoint.', param: 'cursor' })
  return Number(match[1])
}

/** Per database: the page read, prepared once; an index seek on (batch_id, seq) from the cursor. */
const pageStatements = new WeakMap<Db, Statement<ItemRow, [string, number, string, number]>>()

function pageStatement(deps: Deps): Statement<ItemRow, [string, number, string, number]> {
  let statement = pageStatements.get(deps.db)
  if (!statement) {
    // Same rows and names as drizzle's select of itemsTable; statuses as a JSON array so one statement serves every filter.
    const columns = Object.entries(getTableColumns(itemsTable)).map(([key, column]) => `"${column.name}" AS "${key}"`)
    statement = deps.db.$client.prepare<ItemRow, [string, number, string, number]>(
      `SELECT ${columns.join(', ')} FROM items INDEXED BY items_batch_seq_idx
       WHERE batch_id = ?1 AND seq > ?2 AND status IN (SELECT value FROM json_each(?3)) ORDER BY seq LIMIT ?4`,
    )
    pageStatements.set(deps.db, statement)
  }
  return statement
}

/**
 * A page of finished items after `cursor`, optionally only completed or only failed ones, as the
 * JSON text of the page (outputs passed through as stored; see `resultJson`).
 */
export function pageResults(deps: Deps, batchId: string, opts: { limit: number; cursor?: string; status?: 'completed' | 'failed' }): string {
  const statuses: readonly ItemStatus[] = opts.status === 'completed' ? ['completed'] : opts.status === 'failed' ? FAILED_STATUSES : FINISHED_STATUSES
  const after = opts.cursor ? decodeCursor(opts.cursor) : -1
  const rows = pageStatement(deps).all(batchId, after, JSON.stringify(statuses), opts.limit + 1)
  const page = rows.slice(0, opts.limit)
  const hasMore = rows.length > opts.limit
  const nextCursor = hasMore ? encodeCursor(page[page.length - 1]!.seq) : null
  return `{"object":"list","results":[${page.map(resultJson).join(',')}],"next_cursor":${JSON.stringify(nextCursor)},"has_more":${hasMore}}`
}

/** All items of a finished batch in input order, 1000 rows per query and per yielded chunk (artifact writing). */
export function* iterateFinishedItemChunks(deps: Deps, batchId: string): Generator<ItemRow[]> {
  let after = -1
  for (;;) {
    const rows = deps.db.select().from(itemsTable).where(and(eq(itemsTable.batchId, batchId), gt(itemsTable.seq, after))).orderBy(asc(itemsTable.seq)).limit(1000).all()
    if (rows.length === 0) return
    yield rows
    after = rows[rows.length - 1]!.seq
  }
}

// ---- Artifacts written once at finalize: the native results JSONL, the routing receipt, and the
// OpenAI output/error files (registered as files with purpose batch_output). Written to tmp/ and
// moved into place, so a crash mid-write leaves nothing half-written; re-running is idempotent.

/** Where a batch's native artifacts live. */
export function artifactPath(deps: Deps, batchId: string, kind: 'results' | 'receipt'): string {
  return join(deps.paths.artifacts, batchId, kind === 'results' ? 'results.jsonl' : 'receipt.json')
}

export interface WrittenArtifacts {
  outputFileId: string | null
  errorFileId: string | null
}

/** Writes every artifact of a finished batch and returns the OpenAI file ids (null when empty). */
export async function writeArtifacts(deps: Deps, batch: BatchRow): Promise<WrittenArtifacts> {
  mkdirSync(join(deps.paths.artifacts, batch.id), { recursive: true })
  const tmp = (name: string) => join(deps.paths.tmp, `${batch.id}-${name}-${randomBase62(6)}`)
  const paths = { results: tmp('results'), output: tmp('output'), error: tmp('error') }
  const sinks = { results: Bun.file(paths.results).writer(), output: Bun.file(paths.output).writer(), error: Bun.file(paths.error).writer() }
  const counts = { output: 0, error: 0 }
  for (const chunk of iterateFinishedItemChunks(deps, batch.id)) {
    const requests = await responsesRequests(deps, batch, chunk)
    for (const item of chunk) {
      sinks.results.write(resultJson(item) + '\n')
      if (item.status === 'completed') {
        sinks.output.write(JSON.stringify(openAiOutputLine(item, requests.get(item.id))) + '\n')
        counts.output++
      } else {
        sinks.error.write(JSON.stringify(openAiErrorLine(item)) + '\n')
        counts.error++
      }
    }
    await Promise.all([sinks.results.flush(), sinks.output.flush(), sinks.error.flush()])
  }
  await Promise.all([sinks.results.end(), sinks.output.end(), sinks.error.end()])
  renameSync(paths.results, artifactPath(deps, batch.id, 'results'))
  await Bun.write(artifactPath(deps, batch.id, 'receipt'), JSON.stringify(routingReceipt(deps, batch), null, 2))
  const expiresAt = batch.outputExpiresAfter ? deps.clock.now() + batch.outputExpiresAfter * 1000 : null
  const store = async (path: string, count: number, name: string) => {
    if (count === 0) {
      await Bun.file(path).delete()
      return null
    }
    return (await storeFileFromPath(deps, { orgId: batch.orgId, sourcePath: path, filename: `${batch.id}_${name}.jsonl`, purpose: 'batch_output', contentType: 'application/jsonl', lineCount: count, expiresAt })).id
  }
  return { outputFileId: await store(paths.output, counts.output, 'output'), errorFileId: await store(paths.error, counts.error, 'error') }
}


/** Item error codes whose OpenAI error line carries an HTTP-like response (status and error type); others are batch-level `error`s. */
const RESPONSE_ERRORS: Record<string, { status: number; type: string }> = {
  invalid_request: { status: 400, type: 'invalid_request_error' },
  context_window_exceeded: { status: 400, type: 'invalid_request_error' },
  rate_limited: { status: 429, type: 'rate_limit_error' },
}
const BATCH_LEVEL_ERRORS = new Set(['batch_cancelled', 'batch_expired', 'request_timeout'])

/** The OpenAI request ids of an item's output/error line. */
const lineIds = (item: ItemRow) => ({ id: `batch_req_${item.id.slice(5)}`, request_id: `req_${item.id.slice(5)}` })

/**
 * The request bodies of the chunk's completed `/v1/responses` items (echoed in their Responses
 * objects), read back from the input file in one pass. A file that cannot be read any more only
 * loses the echo: the response falls back to defaults.
 */
async function responsesRequests(deps: Deps, batch: BatchRow, chunk: ItemRow[]): Promise<Map<string, Record<string, unknown>>> {
  const wanted = chunk.filter((i) => i.status === 'completed' && i.url === '/v1/responses')
  const out = new Map<string, Record<string, unknown>>()
  if (wanted.length === 0) return out
  try {
    const lines = await readItemLines(batch.inputPath, wanted.map((i) => ({ offset: i.offset, length: i.length })))
    wanted.forEach((item, k) => {
      const body = (lines[k] as { body?: unknown } | null)?.body
      if (typeof body === 'object' && body !== null) out.set(item.id, body as Record<string, unknown>)
    })
  } catch (err) {
    deps.log.warn('responses request echo unavailable', { batch_id: batch.id, error: err instanceof Error ? err.message : String(err) })
  }
  return out
}

/** A successful line: the stored output, shaped by the line's endpoint (a Responses object for /v1/responses). */
export function openAiOutputLine(item: ItemRow, request?: Record<string, unknown>) {
  const { id, request_id } = lineIds(item)
  let body: unknown = item.output ? JSON.parse(item.output) : null
  if (item.url === '/v1/responses' && isChatCompletion(body)) {
    body = chatCompletionToResponse(body, { id: `resp_${item.id.slice(5)}`, request, completedAt: item.completedAt === null ? null : toUnix(item.completedAt) })
  }
  return { id, custom_id: item.customerItemId, response: { status_code: 200, request_id, body }, error: null }
}

/**
 * A failed, cancelled or expired line: batch-level outcomes (batch_cancelled, batch_expired,
 * request_timeout) as `error`, provider refusals as a response with an error body.
 */
export function openAiErrorLine(item: ItemRow) {
  const { id, request_id } = lineIds(item)
  const code = item.errorCode ?? 'provider_error'
  const message = item.errorMessage ?? 'The request failed.'
  if (BATCH_LEVEL_ERRORS.has(code) || item.status === 'cancelled' || item.status === 'expired') {
    const batchCode = item.status === 'cancelled' ? 'batch_cancelled' : item.status === 'expired' ? 'batch_expired' : code
    return { id, custom_id: item.customerItemId, response: null, error: { code: batchCode, message } }
  }
  const http = RESPONSE_ERRORS[code] ?? { status: 500, type: 'server_error' }
  return { id, custom_id: item.customerItemId, response: { status_code: http.status, request_id, body: { error: { message, type: http.type, param: null, code } } }, error: null }
}
