/**
 * What the OpenAI Batch dialect shows of a batch: the `Batch` object (research §A.3) and, when
 * the batch ends, its output and error files (research §A.5) — written line by line, with
 * `malformed_results_rate` applied, and published in the same transaction as the end.
 */
import type { SimBatch, SimBatchEnd, LineResult } from './batch-store'
import { finalizingAt, phaseOf, validatedAt } from './batch-lifecycle'
import { lineVariant, servedLine } from './batch-faults'
import type { FileWriter } from './file-store'
import { simId } from './ids'
import type { SimState } from './state'

const NOT_RUN = {
  expired: { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' },
  cancelled: { code: 'batch_cancelled', message: 'This request was not executed because the batch was cancelled.' },
} as const

/** The output line of one batch line (`{id, custom_id, response, error}`). */
function outputLine(customId: string, result: LineResult): string {
  const id = `batch_req_${simId('').slice(0, 20)}`
  if (result.ran) return JSON.stringify({ id, custom_id: customId, ...result.wire })
  return JSON.stringify({ id, custom_id: customId, response: null, error: NOT_RUN[result.why] })
}

/**
 * Writes the output file (lines that ran ok) and the error file (the rest, unrun lines as
 * batch_expired/batch_cancelled) of a batch ending as `end`, sets their ids on the batch, and
 * returns the step that lists them. A failed batch has neither.
 */
export function writeOutputFiles(state: SimState, batch: SimBatch, end: SimBatchEnd, at: number): { publish(): void } | undefined {
  if (!batch.openai || end === 'failed') return undefined
  const files = state.batch.files
  const open = (kind: string) => files.writer({ filename: `${batch.id}_${kind}.jsonl`, purpose: 'batch_output', createdAt: at })
  const unrun: LineResult = { ran: false, why: end === 'cancelled' ? 'cancelled' : 'expired' }
  let ok: FileWriter | null = null
  let failed: FileWriter | null = null
  for (const line of state.batch.batches.results(batch.id)) {
    const result = line.result ?? unrun
    const text = servedLine(lineVariant(batch, line.customId, result), line.customId, outputLine(line.customId, result)) + '\n'
    if (result.ran && result.ok) (ok ??= open('output')).write(text)
    else (failed ??= open('error')).write(text)
  }
  const staged = [ok?.close(), failed?.close()]
  batch.openai.outputFileId = staged[0]?.file.id ?? null
  batch.openai.errorFileId = staged[1]?.file.id ?? null
  return { publish: () => staged.forEach((s) => s?.insert()) }
}

/** The `Batch` object as OpenAI answers it at `now`; `errors` appear once the batch has failed. */
export function presentBatch(state: SimState, batch: SimBatch, now: number) {
  const o = batch.openai!
  const s = (ms: number | null) => (ms === null ? null : Math.floor(ms / 1000))
  const c = state.batch.batches.counts(batch.id)
  const status = batch.end ?? (batch.cancelRequestedAt !== null ? 'cancelling' : phaseOf(batch, now))
  const inProgressAt = batch.errors.length === 0 && status !== 'validating' ? validatedAt(batch) : null
  return {
    id: batch.id, object: 'batch', endpoint: o.endpoint, model: batch.model ?? null,
    errors: batch.end === 'failed' ? { object: 'list', data: batch.errors } : null,
    input_file_id: o.inputFileId, completion_window: o.completionWindow, status,
    output_file_id: o.outputFileId, error_file_id: o.errorFileId,
    created_at: s(batch.createdAt), in_progress_at: s(inProgressAt), expires_at: s(batch.createdAt)! + 24 * 3600,
    finalizing_at: batch.end === 'completed' || status === 'finalizing' ? s(finalizingAt(batch)) : null,
    completed_at: batch.end === 'completed' ? s(batch.endedAt) : null, failed_at: batch.end === 'failed' ? s(batch.endedAt) : null,
    expired_at: batch.end === 'expired' ? s(batch.endedAt) : null, cancelling_at: s(batch.cancelRequestedAt), cancelled_at: batch.end === 'cancelled' ? s(batch.endedAt) : null,
    request_counts: { total: batch.lineCount, completed: c.ok, failed: c.failed + (batch.end ? c.expired + c.cancelled : 0) },
    metadata: o.metadata,
  }
}
