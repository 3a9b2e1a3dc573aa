/**
 * POST /v1/batches: preflight everything, price the actual items at the quote's locked rates (or
 * current rates), reserve that total, and make batch + items + reservation visible in one final
 * transaction. Item groups that no lane can take right now only because a provider is down or
 * full are accepted and priced at the lane they would get; the batch waits for it (route-batches).
 * Items are inserted while the input is read — short chunked transactions under a hidden
 * `creating` batch, in the ingest Worker for large inputs — so a 50,000-item create never blocks
 * the event loop for long; a refused or crashed create leaves nothing behind
 * (`discardCreatingBatch`, and the start-up sweep).
 */
import { and, count, eq, inArray, notInArray } from 'drizzle-orm'
import type { Deps } from '../../deps'
import { writeTx } from '../../db/tx'
import { newId } from '../../lib/ids'
import { AppError } from '../../lib/errors'
import { assertCanReserve, reserveCreditsInTx } from '../credits/index'
import { getFileForOrg, storeFileFromPath } from '../files/index'
import { assertBatchCanRun, assertWithinMaxPrice, feeSchedule, loadRequestItems, preflightError, presentPriceBreakdown } from '../quotes/index'
import { groupDemands, liveOfferingStates, modelLookup, modelsListProblems, planRouting, ratesToLock, reservationPrice } from '../routing/index'
import type { CreateBatchBody } from './models'
import { batchesTable, type BatchRow } from './table'
import { TERMINAL_BATCH_STATUSES, transitionFrom } from './state'
import { completeIdempotencyKeyInTx } from './idempotency'
import { preflightRequest } from './create-preflight'
import { discardCreatingBatch } from './discard'

/** Creates the batch; returns its row (status pending). Throws AppError for every refusal. */
export async function createBatchRecord(deps: Deps, orgId: string, body: CreateBatchBody, idempotency: { key: string }): Promise<BatchRow> {
  const pre = preflightRequest(deps, orgId, body)
  pre.problems.push(...modelsListProblems(deps.catalog(), body.models))
  if (pre.shape === 'openai' && body.items !== undefined) pre.problems.push({ line: null, item: null, code: 'input_conflict', param: 'items', message: 'The OpenAI batch shape takes input_file_id only; send inline items without endpoint/completion_window.' })
  if (pre.problems.length > 0 && (body.items === undefined) === (body.input_file_id === undefined)) throw preflightError(pre.problems, pre.problems.length)
  // Items are inserted while the input is still being read (by the ingest Worker for large inputs,
  // quotes/input.ts), under a hidden `creating` batch row the final transaction fills in and reveals.
  const now = deps.clock.now()
  const batchId = newId('batch')
  const placeholder: BatchRow = {
    id: batchId, orgId, status: 'creating', shape: pre.shape, endpoint: pre.endpoint ?? '/v1/chat/completions',
    inputFileId: body.input_file_id ?? '', inputPath: '', model: null, quoteId: pre.quote?.id ?? null,
    slaTier: pre.policy.slaTier, routingMode: pre.policy.routingMode, privacyTier: pre.policy.privacyTier,
    policy: pre.policy, metadata: body.metadata ?? null,
    webhookUrl: body.webhook?.url ?? null, webhookSecret: body.webhook?.secret ?? null,
    itemCount: 0, estimate: {}, lockedRates: {},
    reservationId: null, reservedMicros: 0, chargedMicros: null, outputFileId: null, errorFileId: null, errors: null,
    outputExpiresAfter: body.output_expires_after?.seconds ?? null,
    createdAt: now, updatedAt: now, inProgressAt: null, finalizingAt: null, completedAt: null, failedAt: null, expiredAt: null, cancellingAt: null, cancelledAt: null,
    slaDeadline: now + pre.policy.slaSeconds * 1000, endIntent: null, leaseUntil: null, nextAttemptAt: now, lastError: null,
  }
  // Counted and inserted with no await between, so concurrent creates cannot both take the last slot.
  assertActiveBatchSlot(deps, orgId)
  // Inserted first (items reference it) and discarded on every refusal and at start-up after a crash.
  deps.db.insert(batchesTable).values(placeholder).run()
  let ownFileId: string | null = null
  try {
    const loaded = await loadRequestItems(deps, orgId, body, { endpoint: pre.shape === 'openai' ? pre.endpoint : undefined, exactTokens: false, extraProblems: pre.problems, insertInto: { batchId } })
    try {
      const states = liveOfferingStates(deps, pre.quote?.lockedRates)
      const plan = planRouting(groupDemands(loaded.drafts, modelLookup(deps.catalog()), pre.policy.models), states, pre.policy, feeSchedule(deps))
      // A group that cannot run now but only for reasons that pass (provider down, lanes full) is
      // accepted: the batch waits in `queued` until a lane frees up or its deadline expires it.
      assertBatchCanRun(plan)
      const price = reservationPrice(plan)
      assertWithinMaxPrice(price, pre.policy.maxPriceMicros)
      const reserve = price.total
      assertCanReserve(deps, orgId, reserve) // early 402 before the final write; the final transaction checks again
      const inputFile = loaded.isTemp ? await storeFileFromPath(deps, { orgId, sourcePath: loaded.path, filename: 'inline-items.jsonl', purpose: 'model_input', contentType: 'application/jsonl', lineCount: loaded.lineCount }) : null
      ownFileId = inputFile?.id ?? null
      const row: BatchRow = {
        ...placeholder,
        endpoint: pre.endpoint ?? loaded.drafts[0]?.url ?? '/v1/chat/completions',
        inputFileId: inputFile?.id ?? loaded.fileId!, inputPath: inputFile ? getFileForOrg(deps, orgId, inputFile.id).absolutePath : loaded.path,
        model: loaded.drafts[0]?.model ?? null,
        itemCount: loaded.drafts.length, estimate: presentPriceBreakdown(price), lockedRates: pre.quote?.lockedRates ?? ratesToLock(states),
        reservedMicros: reserve,
      }
      return publishBatch(deps, row, idempotency.key)
    } catch (err) {
      if (loaded.isTemp) await Bun.file(loaded.path).delete().catch(() => {})
      throw err
    }
  } catch (err) {
    discardCreatingBatch(deps, batchId, ownFileId)
    throw err
  }
}

/** Throws 429 rate_limited when the org already has `rateLimits.activeBatchesPerOrg` unfinished batches (creates in flight included). */
function assertActiveBatchSlot(deps: Deps, orgId: string): void {
  const cap = deps.config.rateLimits.activeBatchesPerOrg
  const active = deps.db.select({ n: count() }).from(batchesTable).where(and(eq(batchesTable.orgId, orgId), notInArray(batchesTable.status, [...TERMINAL_BATCH_STATUSES]))).get()?.n ?? 0
  if (active >= cap) {
    throw new AppError('rate_limited', { message: `This org already has ${active} unfinished batches, the most it may run at once (${cap}); wait for some to finish or cancel some, then retry.`, details: { active_batches: active, limit: cap }, retryAfter: 60 })
  }
}

/** The final transaction: reserve, fill in the batch row and reveal it (pending), complete the idempotency key. */
function publishBatch(deps: Deps, row: BatchRow, idempotencyKey: string): BatchRow {
  return writeTx(deps.db, () => {
    const { id: _id, status: _status, ...fields } = row
    deps.db.update(batchesTable).set(fields).where(and(eq(batchesTable.id, row.id), eq(batchesTable.status, 'creating'))).run()
    const reservation = reserveCreditsInTx(deps, { orgId: row.orgId, batchId: row.id, amount: row.reservedMicros })
    deps.db.update(batchesTable).set({ status: 'pending', reservationId: reservation.id }).where(and(eq(batchesTable.id, row.id), inArray(batchesTable.status, transitionFrom(['creating'], 'pending')))).run()
    completeIdempotencyKeyInTx(deps, row.orgId, idempotencyKey, row.id)
    return { ...row, status: 'pending', reservationId: reservation.id }
  })
}
