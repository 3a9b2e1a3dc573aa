/**
 * Worker entrypoint for `ingestInWorker` (ingest-offthread.ts): runs the one streaming ingest pass
 * off the API thread and posts the drafts in chunks as they are validated, then the problems.
 * Everything it receives and posts is plain data (the catalog is a structured clone).
 * `make build` lists this file as an entrypoint so the compiled binary carries it.
 */
import { ingestJsonlFile } from './ingest'
import { CreatingItemsWriter } from './item-rows'
import type { IngestOptions, ItemDraft } from './types'

export interface IngestWorkerRequest {
  path: string
  opts: IngestOptions
  chunkItems: number
  /** Insert each chunk as items rows of this `creating` batch before posting it. */
  insert?: { dbPath: string; batchId: string }
}

export type IngestWorkerMessage =
  | { kind: 'items'; items: ItemDraft[] }
  | { kind: 'done'; problems: import('./types').PreflightProblem[]; problemCount: number; lineCount: number }
  | { kind: 'failed'; message: string }

declare const self: Worker

self.onmessage = async (event: MessageEvent<IngestWorkerRequest>) => {
  const { path, opts, chunkItems, insert } = event.data
  const post = (m: IngestWorkerMessage) => self.postMessage(m)
  let writer: CreatingItemsWriter | null = null
  let last: IngestWorkerMessage
  try {
    writer = insert ? new CreatingItemsWriter(insert.dbPath, insert.batchId) : null
    const onItems = (items: ItemDraft[]) => {
      writer?.insert(items) // committed before the chunk is posted
      post({ kind: 'items', items })
    }
    const result = await ingestJsonlFile(path, opts, { onItems, chunkItems, keepItems: false, yieldAfterMs: Number.POSITIVE_INFINITY })
    last = { kind: 'done', problems: result.problems, problemCount: result.problemCount, lineCount: result.lineCount }
  } catch (err) {
    last = { kind: 'failed', message: err instanceof Error ? err.message : String(err) }
  }
  // Closed before the last message: the receiver terminates this worker when it arrives.
  writer?.close()
  post(last)
}
