/**
 * expire-batches: a batch past its SLA deadline stops its unfinished items (in-flight calls are
 * aborted), keeps what finished, and is handed to finalize, which ends it `expired`.
 */
import type { Deps } from '../deps'
import { expireDueBatches, EXPIRE_CLAIM } from '../features/batches/index'

/** One pass; true when the pass was full. */
export function expireBatches(deps: Deps, now: number): boolean {
  const expired = expireDueBatches(deps, now)
  for (const id of expired) deps.stopBatchWork(id)
  if (expired.length > 0) deps.nudge('finalize-batches')
  return expired.length === EXPIRE_CLAIM
}
