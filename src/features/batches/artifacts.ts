/**
 * Artifacts written once at finalize: the native results JSONL, the routing receipt, and the
 * OpenAI output/error files (registered as files with purpose batch_output). Written to tmp/ and
 * moved into place, so a crash mid-write leaves nothing half-written; re-running is idempotent.
 */
import { mkdirSync, renameSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Deps } from '../../deps'
import { randomBase62 } from '../../lib/ids'
import { storeFileFromPath } from '../files/index'
import { iterateFinishedItems, presentResult } from './results'
import { routingReceipt } from './receipt'
import type { BatchRow, ItemRow } from './table'
import type { ArtifactKind } from './artifact-url'

/** Where a batch's native artifacts live. */
export function artifactPath(deps: Deps, batchId: string, kind: 'results' | 'receipt'): string {
  return join(deps.paths.artifacts, batchId, kind === 'results' ? 'results.jsonl' : 'receipt.json')
}

export interface WrittenArtifacts {
  outputFileId: string | null
  errorFileId: string | null
}

/** Writes every artifact of a finished batch and returns the OpenAI file ids (null when empty). */
export async function writeArtifacts(deps: Deps, batch: BatchRow): Promise<WrittenArtifacts> {
  mkdirSync(join(deps.paths.artifacts, batch.id), { recursive: true })
  const tmp = (name: string) => join(deps.paths.tmp, `${batch.id}-${name}-${randomBase62(6)}`)
  const paths = { results: tmp('results'), output: tmp('output'), error: tmp('error') }
  const sinks = { results: Bun.file(paths.results).writer(), output: Bun.file(paths.output).writer(), error: Bun.file(paths.error).writer() }
  const counts = { output: 0, error: 0 }
  let n = 0
  for (const item of iterateFinishedItems(deps, batch.id)) {
    sinks.results.write(JSON.stringify(presentResult(item)) + '\n')
    if (item.status === 'completed') {
      sinks.output.write(JSON.stringify(openAiOutputLine(item)) + '\n')
      counts.output++
    } else {
      sinks.error.write(JSON.stringify(openAiErrorLine(item)) + '\n')
      counts.error++
    }
    if (++n % 1000 === 0) await Promise.all([sinks.results.flush(), sinks.output.flush(), sinks.error.flush()])
  }
  await Promise.all([sinks.results.end(), sinks.output.end(), sinks.error.end()])
  renameSync(paths.results, artifactPath(deps, batch.id, 'results'))
  await Bun.write(artifactPath(deps, batch.id, 'receipt'), JSON.stringify(routingReceipt(deps, batch), null, 2))
  const expiresAt = batch.outputExpiresAfter ? deps.clock.now() + batch.outputExpiresAfter * 1000 : null
  const store = async (path: string, count: number, name: string) => {
    if (count === 0) {
      await Bun.file(path).delete()
      return null
    }
    return (await storeFileFromPath(deps, { orgId: batch.orgId, sourcePath: path, filename: `${batch.id}_${name}.jsonl`, purpose: 'batch_output', contentType: 'application/jsonl', lineCount: count, expiresAt })).id
  }
  return { outputFileId: await store(paths.output, counts.output, 'output'), errorFileId: await store(paths.error, counts.error, 'error') }
}

/** True when the native artifact exists on disk. */
export function hasArtifact(deps: Deps, batchId: string, kind: ArtifactKind): boolean {
  return kind === 'results' || kind === 'receipt' ? existsSync(artifactPath(deps, batchId, kind)) : false
}

function openAiOutputLine(item: ItemRow) {
  return { id: `batch_req_${item.id.slice(5)}`, custom_id: item.customerItemId, response: { status_code: 200, request_id: `req_${item.id.slice(5)}`, body: item.output ? JSON.parse(item.output) : null }, error: null }
}

function openAiErrorLine(item: ItemRow) {
  const code = item.errorCode ?? 'provider_error'
  const batchLevel = code === 'batch_cancelled' || code === 'batch_expired' || code === 'request_timeout'
  return {
    id: `batch_req_${item.id.slice(5)}`,
    custom_id: item.customerItemId,
    response: batchLevel ? null : { status_code: code === 'invalid_request' ? 400 : 500, request_id: `req_${item.id.slice(5)}`, body: { error: { message: item.errorMessage ?? 'The request failed.', type: code === 'invalid_request' ? 'invalid_request_error' : 'server_error', param: null, code } } },
    error: batchLevel ? { code, message: item.errorMessage ?? code } : null,
  }
}

