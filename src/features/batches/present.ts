/** The one place a batch row becomes the wire batch object (OpenAI fields + native `batch`). */
import type { Deps } from '../../deps'
import { toIso, toUnix } from '../../lib/clock'
import { moneyObject } from '../../lib/money'
import { openAiStatus } from './state'
import { lanesOfBatch } from '../dispatch/index'
import { slaFactor } from '../catalog/index'
import { batchTotals } from './queries'
import type { BatchRow } from './table'

const unix = (ms: number | null) => (ms === null ? null : toUnix(ms))
const iso = (ms: number | null) => (ms === null ? null : toIso(ms))

/** Builds the batch object; `billingReceipt` is attached under batch.billing_receipt when given. */
export function presentBatch(deps: Deps, row: BatchRow, billingReceipt?: unknown) {
  const lanes = lanesOfBatch(deps, row.id)
  const totals = batchTotals(deps, row.id)
  const c = totals.counts
  const finished = c.completed + c.failed + c.cancelled + c.expired
  const perLane = totals.perLane
  const endedAt = row.completedAt ?? row.cancelledAt ?? row.expiredAt ?? row.failedAt
  return {
    id: row.id,
    object: 'batch' as const,
    endpoint: row.endpoint,
    input_file_id: row.inputFileId,
    completion_window: '24h',
    model: row.model,
    status: openAiStatus(row.status, row.endIntent === 'cancelled'),
    output_file_id: row.outputFileId ?? null,
    error_file_id: row.errorFileId ?? null,
    errors: presentErrors(row),
    created_at: toUnix(row.createdAt),
    in_progress_at: unix(row.inProgressAt),
    expires_at: toUnix(row.slaDeadline),
    finalizing_at: unix(row.finalizingAt),
    completed_at: unix(row.completedAt),
    failed_at: unix(row.failedAt),
    expired_at: unix(row.expiredAt),
    cancelling_at: unix(row.cancellingAt),
    cancelled_at: unix(row.cancelledAt),
    request_counts: { total: row.itemCount, completed: c.completed, failed: c.failed + c.cancelled + c.expired },
    usage: {
      input_tokens: totals.inputTokens,
      output_tokens: totals.outputTokens,
      total_tokens: totals.inputTokens + totals.outputTokens,
      input_tokens_details: { cached_tokens: totals.cachedTokens },
      output_tokens_details: { reasoning_tokens: 0 },
    },
    metadata: row.metadata ?? null,
    batch: {
      id: row.id,
      status: row.status,
      item_count: row.itemCount,
      counts: { total: row.itemCount, pending: c.pending, running: c.running, completed: c.completed, failed: c.failed + c.expired, cancelled: c.cancelled },
      progress: row.itemCount > 0 ? Math.round((finished / row.itemCount) * 10_000) / 10_000 : 1,
      created_at: toIso(row.createdAt),
      updated_at: toIso(row.updatedAt),
      completed_at: iso(endedAt),
      sla_deadline: toIso(row.slaDeadline),
      sla_tier: row.slaTier,
      sla_multiplier: slaFactor(row.slaMultiplierBps),
      routing_mode: row.routingMode,
      privacy_tier: row.privacyTier,
      quote_id: row.quoteId,
      input_file_id: row.inputFileId,
      pricing_estimate: row.estimate,
      cost_so_far: moneyObject(row.chargedMicros ?? totals.costMicros),
      lanes: lanes.map((l) => ({ lane_id: l.id, model: l.model, operation: l.operation, provider: l.provider, offering_id: l.offeringId, status: l.status, item_count: l.itemCount, completed: perLane.get(l.id)?.completed ?? 0, failed: perLane.get(l.id)?.failed ?? 0 })),
      webhook: row.webhookUrl ? { url: row.webhookUrl, configured: true } : null,
      metadata: row.metadata ?? null,
      ...(billingReceipt !== undefined ? { billing_receipt: billingReceipt } : {}),
    },
  }
}

/** One entry of the OpenAI `errors` list. */
interface BatchError {
  code: string
  message: string
  param: string | null
  line: number | null
}

/**
 * OpenAI `errors`: the batch-level problems recorded on the row, or — for a batch that ended
 * `failed` without any recorded — one entry with the reason it last gave; null otherwise.
 */
function presentErrors(row: BatchRow): { object: 'list'; data: BatchError[] } | null {
  const recorded: Partial<BatchError>[] = row.errors ?? []
  const data = recorded.map((e) => ({ code: e.code ?? 'batch_failed', message: e.message ?? 'The batch failed.', param: e.param ?? null, line: e.line ?? null }))
  if (data.length === 0 && row.status === 'failed') data.push({ code: 'batch_failed', message: row.lastError ?? 'The batch could not be run; the error file (error_file_id) gives each request its reason.', param: null, line: null })
  return data.length > 0 ? { object: 'list', data } : null
}
