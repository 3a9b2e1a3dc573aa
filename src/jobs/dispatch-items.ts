/**
 * dispatch-items: the runners take due items — the request runner claims and calls
 * (OpenAI-compatible hosts), the batch runner submits due lanes as provider jobs. Neither pass
 * waits for its calls: outcomes claim more as they are written, or nudge this job again.
 */
import type { BatchRunner, RequestRunner } from '../features/dispatch/index'

/** One pass; never asks for an immediate re-run (written outcomes claim more, or nudge). */
export function dispatchItems(runners: { request: RequestRunner; batch: BatchRunner }, now: number): boolean {
  runners.request.dispatch(now)
  runners.batch.submitDue(now)
  return false
}
