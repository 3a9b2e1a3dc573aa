/** Every scheduler job, registered in one place with a stable id. */
import type { Job } from './scheduler'
import type { Dispatcher } from './dispatch-items'
import { routeBatchesJob } from './route-batches'
import { finalizeBatchesJob } from './finalize-batches'
import { expireBatchesJob } from './expire-batches'
import { rescueLeasesJob } from './rescue-leases'

export const JOB_NAMES = ['route-batches', 'dispatch-items', 'finalize-batches', 'expire-batches', 'rescue-leases'] as const

export function createJobs(dispatcher: Dispatcher): Job[] {
  return [routeBatchesJob, dispatcher.job, finalizeBatchesJob, expireBatchesJob, rescueLeasesJob]
}
