/** Every scheduler job, registered in one place with a stable id. */
import type { Job } from './scheduler'
import type { Dispatcher } from './dispatch-items'
import { routeBatchesJob } from './route-batches'
import { finalizeBatchesJob } from './finalize-batches'
import { expireBatchesJob } from './expire-batches'
import { rescueLeasesJob } from './rescue-leases'
import { deliverWebhooksJob } from './deliver-webhooks'

/** `extra`: jobs built with the app's adapters (collect-results). */
export function createJobs(dispatcher: Dispatcher, extra: Job[] = []): Job[] {
  return [routeBatchesJob, dispatcher.job, ...extra, finalizeBatchesJob, expireBatchesJob, rescueLeasesJob, deliverWebhooksJob]
}
