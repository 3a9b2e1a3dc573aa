/**
 * POST /v1/batches: preflight everything, price the actual items at the quote's locked rates (or
 * current rates), reserve that total, and make batch + items + reservation visible in one final
 * transaction. Item groups that no lane can take right now only because a provider is down or
 * full are accepted and priced at the lane they would get; the batch waits for it (route-batches). Items are inserted beforehand in chunked transactions under a hidden `creating`
 * batch so a 50,000-item create never blocks the event loop for long; a refused or crashed create
 * leaves nothing behind (`discardCreatingBatch`, and the start-up sweep).
 */
import { eq } from 'drizzle-orm'
import type { Deps } from '../../deps'
import { writeTx } from '../../db/tx'
import { newId } from '../../lib/ids'
import { assertCanReserve, reserveCreditsInTx } from '../credits/index'
import { getFileForOrg, storeFileFromPath } from '../files/index'
import type { ItemDraft } from '../items/index'
import { assertBatchCanRun, assertWithinMaxPrice, feeSchedule, loadRequestItems, preflightError, presentPriceBreakdown, type LoadedItems } from '../quotes/index'
import { groupDemands, liveOfferingStates, modelLookup, modelsListProblems, planRouting, ratesToLock, reservationPrice } from '../routing/index'
import type { CreateBatchBody } from './models'
import { batchesTable, itemsTable, type BatchRow } from './table'
import { completeIdempotencyKeyInTx } from './idempotency'
import { preflightRequest } from './create-preflight'
import { discardCreatingBatch } from './discard'

// Rows per transaction: each commit fsyncs (synchronous=FULL), so fewer, larger chunks are faster,
// while a chunk still holds the event loop for only ~10 ms.
const INSERT_CHUNK = 1000

/** Creates the batch; returns its row (status pending). Throws AppError for every refusal. */
export async function createBatchRecord(deps: Deps, orgId: string, body: CreateBatchBody, idempotency: { key: string }): Promise<BatchRow> {
  const pre = preflightRequest(deps, orgId, body)
  pre.problems.push(...modelsListProblems(deps.catalog(), body.models))
  if (pre.shape === 'openai' && body.items !== undefined) pre.problems.push({ line: null, item: null, code: 'input_conflict', param: 'items', message: 'The OpenAI batch shape takes input_file_id only; send inline items without endpoint/completion_window.' })
  if (pre.problems.length > 0 && (body.items === undefined) === (body.input_file_id === undefined)) throw preflightError(pre.problems, pre.problems.length)
  const loaded = await loadRequestItems(deps, orgId, body, { endpoint: pre.shape === 'openai' ? pre.endpoint : undefined, exactTokens: false, extraProblems: pre.problems })
  try {
    const states = liveOfferingStates(deps, pre.quote?.lockedRates)
    const plan = planRouting(groupDemands(loaded.drafts, modelLookup(deps.catalog()), pre.policy.models), states, pre.policy, feeSchedule(deps))
    // A group that cannot run now but only for reasons that pass (provider down, lanes full) is
    // accepted: the batch waits in `queued` until a lane frees up or its deadline expires it.
    assertBatchCanRun(plan)
    const price = reservationPrice(plan)
    assertWithinMaxPrice(price, pre.policy.maxPriceMicros)
    const reserve = price.total
    assertCanReserve(deps, orgId, reserve) // early 402 before any write; the final transaction checks again
    const now = deps.clock.now()
    const inputFile = loaded.isTemp ? await storeFileFromPath(deps, { orgId, sourcePath: loaded.path, filename: 'inline-items.jsonl', purpose: 'model_input', contentType: 'application/jsonl', lineCount: loaded.lineCount }) : null
    const row: BatchRow = {
      id: newId('batch'), orgId, status: 'creating', shape: pre.shape,
      endpoint: pre.endpoint ?? loaded.drafts[0]?.url ?? '/v1/chat/completions',
      inputFileId: inputFile?.id ?? loaded.fileId!, inputPath: inputFile ? getFileForOrg(deps, orgId, inputFile.id).absolutePath : loaded.path,
      model: loaded.drafts[0]?.model ?? null, quoteId: pre.quote?.id ?? null,
      slaTier: pre.policy.slaTier, routingMode: pre.policy.routingMode, privacyTier: pre.policy.privacyTier,
      policy: pre.policy, metadata: body.metadata ?? null,
      webhookUrl: body.webhook?.url ?? null, webhookSecret: body.webhook?.secret ?? null,
      itemCount: loaded.drafts.length, estimate: presentPriceBreakdown(price), lockedRates: pre.quote?.lockedRates ?? ratesToLock(states),
      reservationId: null, reservedMicros: reserve, chargedMicros: null, outputFileId: null, errorFileId: null, errors: null,
      outputExpiresAfter: body.output_expires_after?.seconds ?? null,
      createdAt: now, updatedAt: now, inProgressAt: null, finalizingAt: null, completedAt: null, failedAt: null, expiredAt: null, cancellingAt: null, cancelledAt: null,
      slaDeadline: now + pre.policy.slaSeconds * 1000, endIntent: null, leaseUntil: null, nextAttemptAt: now, lastError: null,
    }
    return await insertBatch(deps, row, loaded, idempotency.key, inputFile?.id ?? null)
  } catch (err) {
    if (loaded.isTemp) await Bun.file(loaded.path).delete().catch(() => {})
    throw err
  }
}

async function insertBatch(deps: Deps, row: BatchRow, loaded: LoadedItems, idempotencyKey: string, ownFileId: string | null): Promise<BatchRow> {
  deps.db.insert(batchesTable).values(row).run()
  try {
    const insertItem = prepareItemInsert(deps)
    for (let i = 0; i < loaded.drafts.length; i += INSERT_CHUNK) {
      const chunk = loaded.drafts.slice(i, i + INSERT_CHUNK)
      writeTx(deps.db, () => {
        for (const d of chunk) insertItem.run(...itemValues(row.id, d))
      })
      await new Promise((r) => setImmediate(r)) // let requests in between chunks
    }
    return writeTx(deps.db, () => {
      const reservation = reserveCreditsInTx(deps, { orgId: row.orgId, batchId: row.id, amount: row.reservedMicros })
      deps.db.update(batchesTable).set({ status: 'pending', reservationId: reservation.id }).where(eq(batchesTable.id, row.id)).run()
      completeIdempotencyKeyInTx(deps, row.orgId, idempotencyKey, row.id)
      return { ...row, status: 'pending', reservationId: reservation.id }
    })
  } catch (err) {
    discardCreatingBatch(deps, row.id, ownFileId)
    throw err
  }
}

/**
 * One statement prepared once and run per row: a drizzle multi-row insert would build and
 * prepare a 17,000-parameter statement per chunk (slower, and garbage that doubled peak RSS).
 * The column list is derived from the drizzle table so the two cannot drift apart.
 */
const ITEM_INSERT_COLUMNS = ['id', 'batchId', 'seq', 'customerItemId', 'line', 'offset', 'length', 'model', 'operation', 'url', 'estInputTokens', 'estOutputTokens', 'needsTools', 'untranslatable', 'status', 'attempts'] as const satisfies readonly (keyof typeof itemsTable.$inferInsert)[]

function prepareItemInsert(deps: Deps) {
  const names = ITEM_INSERT_COLUMNS.map((key) => `"${itemsTable[key].name}"`)
  return deps.db.$client.prepare(`INSERT INTO items (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`)
}

function itemValues(batchId: string, d: ItemDraft): (string | number | null)[] {
  return [newId('item'), batchId, d.seq, d.customerItemId, d.line, d.offset, d.length, d.model, d.operation, d.url, d.estInputTokens, d.estOutputTokens, d.needsTools ? 1 : 0, d.untranslatable ?? null, 'pending', 0]
}
