/** Every scheduler job, registered in one place with a stable id. */
import type { Job } from './scheduler'

export const ALL_JOBS: Job[] = []
