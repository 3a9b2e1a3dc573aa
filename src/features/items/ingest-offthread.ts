/**
 * The ingest pass in a Worker, so parsing and validating a 200 MB input never holds the API
 * thread (perf-notes: the same ingest on the event loop froze every request for 1.3–1.6 s).
 * Drafts arrive in chunks while the worker parses on; `onItems` gets each chunk on this thread,
 * one chunk per turn of the event loop. With `insert`, the worker also writes each chunk as items
 * rows of a `creating` batch (its own connection, item-rows.ts) before posting it, so the
 * inserts and their WAL checkpoints never run on the API thread either.
 */
import type { IngestHooks } from './ingest'
import type { IngestWorkerMessage, IngestWorkerRequest } from './ingest-worker'
import type { IngestOptions, IngestResult, ItemDraft } from './types'

/**
 * Where the worker's code is: next to this file when run from source; in a compiled binary
 * (`bun build --compile src/main.ts src/features/items/ingest-worker.ts`) the bundled entrypoint,
 * addressed relative to the entrypoints' common root (`src/`).
 */
function workerSpecifier(): string {
  const compiled = Bun.main.startsWith('/$bunfs/') || /^[A-Z]:[\\/]~BUN[\\/]/.test(Bun.main)
  return compiled ? './features/items/ingest-worker.ts' : new URL('./ingest-worker.ts', import.meta.url).href
}

/**
 * Same result as `ingestJsonlFile(path, opts)`; `onItems` (optional) sees the drafts in input
 * order, in chunks, before the promise settles. A throwing `onItems` stops the worker and rejects;
 * so does a failed insert. When it rejects, rows the worker inserted stay for the caller to discard.
 */
export function ingestInWorker(path: string, opts: IngestOptions, hooks: Pick<IngestHooks, 'onItems' | 'chunkItems'> & { insert?: IngestWorkerRequest['insert'] } = {}): Promise<IngestResult> {
  const worker = new Worker(workerSpecifier())
  const items: ItemDraft[] = []
  const queue: IngestWorkerMessage[] = []
  let draining = false
  let settled = false
  return new Promise<IngestResult>((resolve, reject) => {
    const finish = (err: unknown, result?: IngestResult) => {
      if (settled) return
      settled = true
      worker.terminate()
      if (err) reject(err)
      else resolve(result!)
    }
    // One message per turn of the event loop: requests get in between chunks.
    const drain = async () => {
      if (draining) return
      draining = true
      try {
        while (queue.length > 0 && !settled) {
          const m = queue.shift()!
          if (m.kind === 'items') {
            hooks.onItems?.(m.items)
            for (const d of m.items) items.push(d)
          } else if (m.kind === 'done') {
            return finish(null, { items, problems: m.problems, problemCount: m.problemCount, lineCount: m.lineCount })
          } else {
            return finish(new Error(`ingest worker: ${m.message}`))
          }
          await new Promise((r) => setImmediate(r))
        }
      } catch (err) {
        finish(err)
      } finally {
        draining = false
      }
    }
    worker.onmessage = (event: MessageEvent<IngestWorkerMessage>) => {
      queue.push(event.data)
      void drain()
    }
    worker.onerror = (event) => finish(new Error(`ingest worker: ${event.message}`))
    const request: IngestWorkerRequest = { path, opts, chunkItems: hooks.chunkItems ?? 500, insert: hooks.insert }
    worker.postMessage(request)
  })
}
