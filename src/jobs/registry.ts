/**
 * The job registry: every scheduler job by its stable name (a complete record over JOB_NAMES,
 * so a job cannot be left out), each a thin tick that reads the clock and calls a feature. It
 * also builds what the ticks drive: the two runners of features/dispatch, with the ports that
 * connect them to the features above dispatch, and the list of leased row kinds rescue watches.
 */
import { JOB_NAMES, type Deps, type JobName } from '../deps'
import type { Adapters } from '../providers/registry'
import { FINALIZING_LEASES, ROUTING_LEASES, startBatchesInTx, workBatchOf } from '../features/batches/index'
import { BatchRunner, ITEM_LEASES, NODE_ITEM_LEASES, PROVIDER_JOB_LEASES, RequestRunner, type LeaseKind, type WorkPorts } from '../features/dispatch/index'
import { providerCircuits, rerouteJobItems } from '../features/routing/index'
import { enqueueProgressEventsInTx, WEBHOOK_LEASES } from '../features/webhooks/index'
import type { Job } from './scheduler'
import { fleetNodes } from './fleet-nodes'
import { collectResults } from './collect-results'
import { deliverWebhooks } from './deliver-webhooks'
import { dispatchItems } from './dispatch-items'
import { expireBatches } from './expire-batches'
import { finalizeBatches } from './finalize-batches'
import { rescueLeases } from './rescue-leases'
import { routeBatches } from './route-batches'

/** Every kind of leased row: what rescue-leases (and the start-up rescue) gives back when its lease lapses. */
export const LEASE_KINDS: readonly LeaseKind[] = [ITEM_LEASES, NODE_ITEM_LEASES, PROVIDER_JOB_LEASES, WEBHOOK_LEASES, ROUTING_LEASES, FINALIZING_LEASES]

/** The kinds this process alone holds: at start-up every such lease is a crash's leftover. Edge nodes' leases are not (their holders live on). */
export const LOCAL_LEASE_KINDS: readonly LeaseKind[] = LEASE_KINDS.filter((k) => k !== NODE_ITEM_LEASES)

/** What the runners (and the fleet's node routes) need from the features above dispatch. */
export const WORK_PORTS: WorkPorts = {
  batch: workBatchOf,
  startedInTx: startBatchesInTx,
  recordedInTx: enqueueProgressEventsInTx,
  reroute: rerouteJobItems,
  circuitOpen: (d, provider, now) => providerCircuits(d, now, provider).get(provider) === 'open',
}

/** The runners, the jobs that drive them, and the calls that reach in-flight work from outside. */
export interface Work {
  jobs: Job[]
  request: RequestRunner
  batch: BatchRunner
  /** Aborts a stopped batch's in-flight calls and submissions (what `deps.stopBatchWork` calls). */
  abortBatch(batchId: string): void
  /** Waits until in-flight provider work is done and its outcomes written (or only `itemIds`' calls). */
  settle(itemIds?: readonly string[]): Promise<void>
  /** Stops starting work and waits for what is in flight (graceful stop). */
  drain(): Promise<void>
}

/** Builds the runners on `adapters` and every job; `claimAhead` is true while the scheduler runs (pipelined claims). */
export function createWork(deps: Deps, adapters: Adapters, opts: { claimAhead: () => boolean }): Work {
  const ports = WORK_PORTS
  const request = new RequestRunner(deps, adapters, ports, { claimAhead: opts.claimAhead })
  const batch = new BatchRunner(deps, adapters, ports)
  const ticks: Record<JobName, Job['run']> = {
    'route-batches': (d, now) => routeBatches(d, now),
    // Edge nodes waiting in a long poll are woken by this job's nudges on the API thread (app.ts: deps.onNudge).
    'dispatch-items': (_d, now) => dispatchItems({ request, batch }, now),
    'collect-results': (_d, now) => collectResults(batch, now),
    'finalize-batches': (d, now) => finalizeBatches(d, now),
    'expire-batches': (d, now) => expireBatches(d, now),
    'rescue-leases': (d, now) => rescueLeases(d, LEASE_KINDS, now),
    'deliver-webhooks': (d, now) => deliverWebhooks(d, now),
    'fleet-nodes': (d, now) => fleetNodes(d, now),
  }
  return {
    jobs: JOB_NAMES.map((name) => ({ name, run: ticks[name] })),
    request,
    batch,
    abortBatch(batchId) {
      request.abortBatch(batchId)
      batch.abortBatch(batchId)
    },
    async settle(itemIds) {
      if (itemIds) return request.settle(itemIds)
      // A submission's first poll can re-route items to request-style lanes, and the reverse: settle until both are quiet.
      await Promise.all([request.settle(), batch.settle()])
      await request.settle()
    },
    async drain() {
      await Promise.all([request.drain(), batch.drain()])
    },
  }
}
