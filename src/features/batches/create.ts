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
import { assertBatchCanRun, assertWithinMaxPrice, differingParams, requireLiveQuote, routingParams, type QuoteRow } from '../quotes/index'
import { loadRequestItems, preflightError, type PreflightProblem } from '../items/index'
import { feeSchedule, presentPriceBreakdown, slaMultiplierBps } from '../catalog/index'
import { groupDemands, liveOfferingStates, modelLookup, modelsListProblems, planRouting, ratesToLock, reservationPrice, policyFromRequest, PRIVACY_TIERS, ROUTING_MODES, SLA_TIERS, type RoutingRequestFields, type LockedRates } from '../routing/index'
import type { CreateBatchBody } from './models'
import { batchesTable, type BatchRow } from './table'
import { TERMINAL_BATCH_STATUSES, transitionFrom } from './state'
import { completeIdempotencyKeyInTx } from './idempotency'
import { discardCreatingBatch } from './discard'
import { canonicalJson } from '../../lib/crypto'
import { webhookUrlProblem } from '../accounts/index'

/** Creates the batch; returns its row (status pending). Throws AppError for every refusal. */
export async function createBatchRecord(deps: Deps, orgId: string, body: CreateBatchBody, idempotency: { key: string }): Promise<BatchRow> {
  const pre = preflightRequest(deps, orgId, body)
  pre.problems.push(...modelsListProblems(deps.catalog(), body.models))
  if (pre.shape === 'openai' && body.items !== undefined) pre.problems.push({ line: null, item: null, code: 'input_conflict', param: 'items', message: 'The OpenAI batch shape takes input_file_id only; send inline items without endpoint/completion_window.' })
  if (pre.problems.length > 0 && (body.items === undefined) === (body.input_file_id === undefined)) throw preflightError(pre.problems, pre.problems.length)
  // Items are inserted while the input is still being read (by the ingest Worker for large inputs,
  // items/load.ts), under a hidden `creating` batch row the final transaction fills in and reveals.
  const now = deps.clock.now()
  const batchId = newId('batch')
  // Locked like the rates: a quote's multiplier holds even if the operator changed it since.
  const multiplier = pre.quote?.slaMultiplierBps ?? slaMultiplierBps(deps.config, pre.policy.slaTier)
  const placeholder: BatchRow = {
    id: batchId, orgId, status: 'creating', shape: pre.shape, endpoint: pre.endpoint ?? '/v1/chat/completions',
    inputFileId: body.input_file_id ?? '', inputPath: '', model: null, quoteId: pre.quote?.id ?? null,
    slaTier: pre.policy.slaTier, routingMode: pre.policy.routingMode, privacyTier: pre.policy.privacyTier,
    policy: pre.policy, metadata: body.metadata ?? null,
    webhookUrl: body.webhook?.url ?? null, webhookSecret: body.webhook?.secret ?? null,
    itemCount: 0, estimate: presentPriceBreakdown({ providerSubtotal: 0, fee: 0, discount: 0, slaAdjustment: 0, total: 0 }), lockedRates: {}, slaMultiplierBps: multiplier,
    reservationId: null, reservedMicros: 0, chargedMicros: null, outputFileId: null, errorFileId: null, errors: null,
    outputExpiresAfter: body.output_expires_after?.seconds ?? null,
    createdAt: now, updatedAt: now, inProgressAt: null, finalizingAt: null, completedAt: null, failedAt: null, expiredAt: null, cancellingAt: null, cancelledAt: null,
    slaDeadline: now + pre.policy.slaSeconds * 1000, endIntent: null, leaseId: null, nextAttemptAt: now, lastError: null,
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
      const plan = planRouting(groupDemands(loaded.drafts, modelLookup(deps.catalog()), pre.policy.models), states, pre.policy, feeSchedule(deps, multiplier))
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

// ---- Request-level checks of POST /v1/batches that come before reading items: the shape, the
// OpenAI endpoint, routing hints in metadata, metadata size, the webhook URL and the quote.

export const OPENAI_ENDPOINTS = ['/v1/chat/completions', '/v1/embeddings', '/v1/responses'] as const
const METADATA_MAX_BYTES = 16 * 1024

export interface CreatePlanInput {
  shape: 'native' | 'openai'
  endpoint?: string
  routing: RoutingRequestFields
  policy: ReturnType<typeof policyFromRequest>
  quote: QuoteRow | null
  problems: PreflightProblem[]
}

/** Collects request-level problems (returned for the one preflight error) and loads the quote. */
export function preflightRequest(deps: Deps, orgId: string, body: CreateBatchBody): CreatePlanInput {
  const shape = body.endpoint !== undefined || body.completion_window !== undefined ? 'openai' : 'native'
  const problems: PreflightProblem[] = []
  const problem = (code: string, param: string, message: string) => problems.push({ line: null, item: null, code, param, message })
  if (shape === 'openai') {
    if (!body.endpoint || !(OPENAI_ENDPOINTS as readonly string[]).includes(body.endpoint)) problem('endpoint_unsupported', 'endpoint', `endpoint must be one of ${OPENAI_ENDPOINTS.join(', ')}.`)
    if (body.completion_window !== '24h') problem('invalid_completion_window', 'completion_window', 'completion_window must be "24h".')
  }
  // TypeBox's record check lets an array through; metadata is a map of keys to values.
  if (Array.isArray(body.metadata)) problem('invalid_metadata', 'metadata', 'metadata must be a JSON object of keys and values (such as {"project": "x"}), not an array.')
  else if (body.metadata && Buffer.byteLength(canonicalJson(body.metadata)) > METADATA_MAX_BYTES) problem('metadata_too_large', 'metadata', 'metadata must be at most 16 KB of JSON.')
  const routing = routingFields(body, shape, problem)
  if (body.webhook) {
    // The static half of the SSRF rules; delivery re-checks the DNS answers (lib/safe-fetch).
    const unsafe = webhookUrlProblem(body.webhook.url, deps.config.webhooks)
    if (unsafe) problem('unsafe_webhook_url', 'webhook.url', unsafe.message)
  }
  const policy = policyFromRequest(deps.config, routing, deps.catalog())
  const quoteId = body.quote_id ?? (shape === 'openai' ? stringMeta(body.metadata, 'br.quote_id') : undefined)
  let quote: CreatePlanInput['quote'] = null
  if (quoteId) {
    try {
      quote = requireLiveQuote(deps, orgId, quoteId)
    } catch (err) {
      if (err instanceof AppError && err.code === 'preflight_failed') problem('unknown_quote', 'quote_id', `Unknown quote '${quoteId}'; request one with POST /v1/quotes/model.`)
      else throw err
    }
    if (quote) {
      const differ = differingParams(routingParams(policy).params, quote.params)
      if (differ.length > 0) throw new AppError('quote_mismatch', { message: `These parameters differ from quote ${quoteId}: ${differ.join(', ')}. Send the quote's parameters or request a new quote.`, param: differ[0], details: { differing: differ } })
    }
  }
  return { shape, endpoint: body.endpoint, routing, policy, quote, problems }
}

function routingFields(body: CreateBatchBody, shape: 'native' | 'openai', problem: (c: string, p: string, m: string) => void): RoutingRequestFields {
  if (shape === 'native') return body
  const pick = <T extends readonly string[]>(key: string, allowed: T): T[number] | undefined => {
    const value = stringMeta(body.metadata, key)
    if (value === undefined) return undefined
    if (!(allowed as readonly string[]).includes(value)) {
      problem('invalid_metadata', `metadata.${key}`, `metadata["${key}"] must be one of ${allowed.join(', ')}.`)
      return undefined
    }
    return value as T[number]
  }
  return { ...body, routing_mode: pick('br.routing_mode', ROUTING_MODES) ?? body.routing_mode, sla_tier: pick('br.sla_tier', SLA_TIERS) ?? body.sla_tier, privacy_tier: pick('br.privacy_tier', PRIVACY_TIERS) ?? body.privacy_tier }
}

function stringMeta(metadata: CreateBatchBody['metadata'], key: string): string | undefined {
  const value = metadata?.[key]
  return typeof value === 'string' ? value : undefined
}
