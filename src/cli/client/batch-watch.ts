/**
 * `batchrouter batch watch bat_…`: polls the batch and draws a progress bar (cli-progress) with
 * items done, failed, cost so far and ETA until the batch ends. JSON mode prints only the final
 * batch object. The exit code says how it ended (0 completed, 4 failed/expired/cancelled).
 */
import { SingleBar } from 'cli-progress'
import { EXIT } from '../exit-codes'
import { printJson } from '../output'
import { apiJson, type Connection } from './api'
import { itemsDone, summarizeBatch, TERMINAL, type BatchView } from './batch-view'

export interface WatchOptions {
  json: boolean
  intervalMs: number
}

/** Watches until the batch is terminal; Ctrl-C stops watching (exit 130) and leaves the batch running. */
export async function watchBatch(conn: Connection, batchId: string, opts: WatchOptions): Promise<number> {
  const path = `/v1/batches/${encodeURIComponent(batchId)}`
  let batch = await apiJson<BatchView>(conn, 'GET', path)
  const eta = etaFrom(itemsDone(batch))
  const bar = opts.json ? null : newBar(batch, eta)
  let interrupted = false
  const onSigint = () => (interrupted = true)
  process.on('SIGINT', onSigint)
  try {
    while (!TERMINAL.includes(batch.batch.status) && !interrupted) {
      bar?.update(itemsDone(batch), barFields(batch, eta))
      await sleepUnless(opts.intervalMs, () => interrupted)
      if (!interrupted) batch = await apiJson<BatchView>(conn, 'GET', path)
    }
    if (bar) {
      bar.update(itemsDone(batch), barFields(batch, eta))
      bar.stop()
    }
  } finally {
    process.off('SIGINT', onSigint)
  }
  if (interrupted) {
    console.error(`stopped watching; ${batch.id} keeps running (batchrouter batch watch ${batch.id})`)
    return EXIT.interrupted
  }
  if (opts.json) printJson(batch)
  else report(batch)
  return batch.batch.status === 'completed' ? EXIT.ok : EXIT.batchUnsuccessful
}

function newBar(batch: BatchView, eta: Eta): SingleBar {
  const bar = new SingleBar({
    format: '{bar} {percentage}% | {value}/{total} items | {failed} failed | {cost} USD | ETA {eta_text} | {status}',
    stream: process.stdout,
    hideCursor: true,
    barsize: 30,
  })
  bar.start(Math.max(batch.batch.counts.total, 1), itemsDone(batch), barFields(batch, eta))
  return bar
}

type Eta = (done: number, total: number) => string

/** ETA from the rate observed since watching began (cli-progress's own reads "NF" until items move). */
function etaFrom(doneAtStart: number, now = () => Date.now()): Eta {
  const startedAt = now()
  return (done, total) => {
    if (done >= total) return '0s'
    const moved = done - doneAtStart
    if (moved <= 0) return '--'
    const seconds = Math.round((((now() - startedAt) / moved) * (total - done)) / 1000)
    return seconds >= 3600 ? `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m` : seconds >= 60 ? `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`
  }
}

function barFields(b: BatchView, eta: Eta) {
  return { failed: b.batch.counts.failed, cost: b.batch.cost_so_far.amount, status: b.batch.status, eta_text: eta(itemsDone(b), b.batch.counts.total) }
}

function report(batch: BatchView): void {
  console.log(summarizeBatch(batch))
  if (batch.batch.status === 'completed') console.log(`results: batchrouter batch results ${batch.id} -o results.jsonl`)
}

async function sleepUnless(ms: number, stop: () => boolean): Promise<void> {
  const until = Date.now() + ms
  while (Date.now() < until && !stop()) await Bun.sleep(Math.min(100, until - Date.now()))
}
