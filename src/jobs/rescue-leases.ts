/**
 * rescue-leases: every lease that lapsed (a process died, a call hung past its lease) ends, and
 * its rows go back — items to the queue, batches to pending, provider jobs and webhook events to
 * being due — and the job that takes them up again is woken.
 */
import type { Deps } from '../deps'
import { rescueLapsedLeases, type LeaseKind } from '../features/dispatch/index'

/** One pass over every kind of leased row; never asks for a re-run. */
export function rescueLeases(deps: Deps, kinds: readonly LeaseKind[], now: number): boolean {
  const back = rescueLapsedLeases(deps, kinds, now)
  for (const kind of kinds) if ((back.get(kind.name) ?? 0) > 0 && kind.nudge) deps.nudge(kind.nudge)
  return false
}
