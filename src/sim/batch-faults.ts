/**
 * Batch-level faults of the batch dialects (`lose_batches`, `fail_batch`,
 * `malformed_results_rate`): fixed from the scenario when a batch is created and stored with it,
 * so a batch keeps misbehaving the same way after a restart (the scenario itself is in memory).
 */
import type { BatchFaults, LineResult, MalformedVariant } from './batch-types'
import { hash32, mulberry32 } from './deterministic'
import type { Behaviour } from './faults'

/** The faults a batch created under behaviour `b` carries for its whole life. */
export function captureBatchFaults(b: Behaviour): BatchFaults {
  return {
    loseAfterPolls: b.lose_batches === true ? (b.lose_after_polls ?? 0) : null,
    failBatch: b.fail_batch === true,
    malformedRate: b.malformed_results_rate ?? 0,
    seed: b.seed ?? 1,
  }
}

/** How a malformed result line is broken: cut in half (not JSON), or JSON without the wire fields. */

/**
 * Whether (and how) the result line of `customId` is served malformed: a seeded draw per custom
 * id and attempt (the line's run number; 0 for a line that never ran).
 */
export function malformedVariant(faults: BatchFaults, customId: string, attempt: number): MalformedVariant | null {
  if (faults.malformedRate <= 0) return null
  const random = mulberry32(hash32(`${faults.seed}|malformed_results|${customId}|${attempt}`))
  if (random() >= faults.malformedRate) return null
  return random() < 0.5 ? 'not_json' : 'wrong_shape'
}

/** A result line as served: `line` itself, or broken the way `variant` says. */
export function servedLine(variant: MalformedVariant | null | undefined, customId: string, line: string): string {
  if (variant === 'not_json') return line.slice(0, Math.ceil(line.length / 2))
  if (variant === 'wrong_shape') return JSON.stringify({ custom_id: customId, sim_malformed: 'This line is not the wire shape (simulated malformed result).' })
  return line
}

/**
 * The OpenAI `errors` entry of a `fail_batch` batch: the failure real batches most often end
 * with after validation — the organisation's enqueued-token limit for the model.
 */
export function openAiBatchFailure(model: string | undefined): { code: string; message: string; param: null; line: null } {
  const name = model ?? 'this model'
  return { code: 'token_limit_exceeded', message: `Enqueued token limit reached for ${name} in organization org-sim. Please try again once some in_progress batches have been completed. (simulated)`, param: null, line: null }
}

/** The message of every request of an Anthropic `fail_batch` batch (errored, `api_error`). */
export const ANTHROPIC_BATCH_FAILURE = 'Internal server error while processing this batch (simulated batch failure).'

/** How a line's result line is served: as drawn when it ran, or (never ran) drawn for attempt 0. */
export function lineVariant(batch: { faults: BatchFaults }, customId: string, result: LineResult | undefined): MalformedVariant | null {
  if (result?.ran) return result.malformed ?? null
  return malformedVariant(batch.faults, customId, 0)
}
