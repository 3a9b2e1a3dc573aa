/** Every scheduler job, registered in one place with a stable id. */
import type { Job } from './scheduler'
import type { Dispatcher } from './dispatch-items'
import { routeBatchesJob } from './route-batches'
import { finalizeBatchesJob } from './finalize-batches'
import { expireBatchesJob } from './expire-batches'
import { rescueLeasesJob } from './rescue-leases'
import { deliverWebhooksJob } from './deliver-webhooks'

export const JOB_NAMES = ['route-batches', 'dispatch-items', 'collect-results', 'finalize-batches', 'expire-batches', 'rescue-leases', 'deliver-webhooks'] as const

/** `extra`: jobs built with the app's adapters (collect-results). */
export function createJobs(dispatcher: Dispatcher, extra: Job[] = []): Job[] {
  return [routeBatchesJob, dispatcher.job, ...extra, finalizeBatchesJob, expireBatchesJob, rescueLeasesJob, deliverWebhooksJob]
}
