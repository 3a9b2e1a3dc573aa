/**
 * Entrypoint of the jobs worker (config `jobs.thread: "worker"`, the default of `serve`): the
 * scheduler and every job run here, off the API thread (worker-runtime.ts). `make build` lists
 * this file after main.ts so the compiled binary carries it.
 */
import { serveJobsWorker, type WorkerScope } from './worker-runtime'

declare const self: WorkerScope

serveJobsWorker(self)
