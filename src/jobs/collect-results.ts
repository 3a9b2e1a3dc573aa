/** collect-results: the batch runner polls due provider jobs and records what they finished. */
import type { BatchRunner } from '../features/dispatch/index'

/** One pass; true when more jobs may be due. */
export function collectResults(batch: BatchRunner, now: number): Promise<boolean> {
  return batch.collectDue(now)
}
