/**
 * The batch dialects' shared state: the shapes of a simulated batch and its lines, the provider
 * limits, and the store that keeps files, batches (batch-table.ts) and the response-id sequence
 * in the simulator's database. The life cycle over simulated time is in batch-lifecycle.ts.
 */
import { createBatchTable, type BatchTable } from './batch-table'
import { createFileStore, type FileStore } from './file-store'
import { readCounter, writeCounter, type SimDb } from './sim-db'

import type { SimBatch } from './batch-types'

export type { MalformedVariant, LineResult, SimBatchLine, SimBatchEnd, BatchFaults, SimBatch } from './batch-types'

/** One dialect's per-batch limits. */
export interface BatchLimits {
  maxRequests: number
  maxBytes: number
}

/** Provider limits the simulator enforces (research §A.6, §B.5); tests may lower them. */
export interface SimBatchLimits {
  openai: BatchLimits
  anthropic: BatchLimits
}

/** The real providers' limits. */
export const DEFAULT_SIM_BATCH_LIMITS: SimBatchLimits = {
  openai: { maxRequests: 50_000, maxBytes: 200 * 1024 * 1024 },
  anthropic: { maxRequests: 100_000, maxBytes: 256 * 1024 * 1024 },
}

/** Files, batches and the id sequence of one simulator, over its database. */
export interface BatchStore {
  sim: SimDb
  files: FileStore
  batches: BatchTable
  limits: SimBatchLimits
  /** Runs `fn` after every earlier call for the same batch id has finished. */
  serialized<T>(batchId: string, fn: () => Promise<T>): Promise<T>
  /** The next number of the response-id sequence (unique across restarts). */
  nextSequence(): number
  /** Forgets every file and batch and restarts the sequence. */
  clear(): void
}

/** Sequence numbers reserved in the database at a time: one write per block, not per request. */
const SEQUENCE_BLOCK = 10_000
const SEQUENCE_COUNTER = 'sequence_reserved'

/** The store over an open simulator database. */
export function createBatchStore(sim: SimDb, limits: Partial<SimBatchLimits> = {}): BatchStore {
  const chains = new Map<string, Promise<unknown>>()
  // After a restart, numbering resumes past every block reserved before it, so ids never repeat.
  let sequence = readCounter(sim, SEQUENCE_COUNTER)
  let reserved = sequence
  const files = createFileStore(sim)
  const batches = createBatchTable(sim)
  return {
    sim, files, batches,
    limits: { ...DEFAULT_SIM_BATCH_LIMITS, ...limits },
    serialized<T>(batchId: string, fn: () => Promise<T>): Promise<T> {
      const run = (chains.get(batchId) ?? Promise.resolve()).then(fn)
      const tail = run.catch(() => {})
      chains.set(batchId, tail)
      void tail.then(() => {
        if (chains.get(batchId) === tail) chains.delete(batchId)
      })
      return run
    },
    nextSequence() {
      if (sequence >= reserved) {
        reserved = sequence + SEQUENCE_BLOCK
        writeCounter(sim, SEQUENCE_COUNTER, reserved)
      }
      return ++sequence
    },
    clear() {
      files.clear()
      batches.clear()
      sequence = reserved = 0
      writeCounter(sim, SEQUENCE_COUNTER, 0)
    },
  }
}
