/**
 * Loads the items of a quote or batch request — inline (written to a JSONL file first, so both
 * paths share one ingest) or from an uploaded file — and turns every problem into one
 * 400 preflight_failed listing them all.
 */
import { rmSync, statSync } from 'node:fs'
import type { Deps } from '../../deps'
import { AppError } from '../../lib/errors'
import { getFileForOrg, isBatchInputPurpose } from '../files/index'
import { ingestJsonlFile } from './ingest'
import { ingestInWorker } from './ingest-offthread'
import { CreatingItemsWriter } from './item-rows'
import type { IngestResult, ItemDraft, PreflightProblem } from './types'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBase62 } from '../../lib/ids'

export interface LoadedItems {
  drafts: ItemDraft[]
  /** Absolute path of the JSONL the items were read from. */
  path: string
  /** Inline items: the temp file the caller must keep (moving it into files/) or discard. */
  isTemp: boolean
  fileId: string | null
  lineCount: number
}

export interface ItemSource {
  items?: unknown[]
  input_file_id?: string
}

const MAX_PROBLEMS = 100
/** Inputs at least this large are ingested in a Worker. */
const OFF_THREAD_BYTES = 4 * 1024 * 1024

/** Reads and validates the items; throws 400 preflight_failed with every problem found. */
export async function loadRequestItems(deps: Deps, orgId: string, source: ItemSource, opts: { endpoint?: string; exactTokens: boolean; extraProblems?: PreflightProblem[]; insertInto?: { batchId: string } }): Promise<LoadedItems> {
  const problems: PreflightProblem[] = [...(opts.extraProblems ?? [])]
  const hasItems = source.items !== undefined
  const hasFile = source.input_file_id !== undefined
  if (hasItems === hasFile) {
    problems.push({ line: null, item: null, code: 'input_conflict', param: hasItems ? 'input_file_id' : 'items', message: hasItems ? 'Send either items or input_file_id, not both.' : 'Send the work as items (inline) or as input_file_id (an uploaded JSONL file).' })
    throw preflightError(problems, problems.length)
  }
  let path: string
  let fileId: string | null = null
  if (hasItems) {
    if (source.items!.length > deps.config.limits.inlineItems) {
      problems.push({ line: null, item: null, code: 'too_many_items', param: 'items', message: `At most ${deps.config.limits.inlineItems} inline items; upload larger batches as a JSONL file.` })
      throw preflightError(problems, problems.length)
    }
    path = (await writeInlineItemsFile(deps.paths.tmp, source.items!)).path
  } else {
    try {
      const file = getFileForOrg(deps, orgId, source.input_file_id!)
      path = file.absolutePath
      fileId = file.row.id
      if (!isBatchInputPurpose(file.row.purpose)) {
        problems.push({ line: null, item: null, code: 'invalid_file_purpose', param: 'input_file_id', message: `File '${file.row.id}' was uploaded with purpose '${file.row.purpose}'; upload batch inputs with purpose batch (OpenAI form) or model_input so they are checked as JSONL.` })
        throw preflightError(problems, problems.length)
      }
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'not_found') throw err
      problems.push({ line: null, item: null, code: 'unknown_file', param: 'input_file_id', message: `No file '${source.input_file_id}' in this account; upload it with POST /v1/files first.` })
      throw preflightError(problems, problems.length)
    }
  }
  try {
    const ingestOpts = { catalog: deps.catalog(), endpoint: opts.endpoint, maxItems: hasItems ? deps.config.limits.inlineItems : deps.config.limits.batchLines, lineBytes: deps.config.limits.lineBytes, maxDepth: deps.config.limits.jsonDepth, exactTokens: opts.exactTokens }
    // Large inputs are parsed in a Worker (the API thread only receives drafts); small ones are not
    // worth a worker's start-up.
    const offThread = statSync(path).size >= OFF_THREAD_BYTES
    // With insertInto, each chunk of drafts becomes items rows of that `creating` batch while the
    // rest of the input is still being read (by the worker, off this thread, when there is one).
    const into = opts.insertInto
    let result: IngestResult
    if (offThread) {
      result = await ingestInWorker(path, ingestOpts, { insert: into && { dbPath: deps.paths.db, batchId: into.batchId } })
    } else {
      const writer = into ? new CreatingItemsWriter(deps.paths.db, into.batchId) : null
      try {
        result = await ingestJsonlFile(path, ingestOpts, { onItems: writer ? (chunk) => writer.insert(chunk) : undefined })
      } finally {
        writer?.close()
      }
    }
    const all = [...problems, ...result.problems, ...imageProblems(deps, orgId, result.items)]
    if (all.length > 0) throw preflightError(all, result.problemCount + all.length - result.problems.length)
    return { drafts: result.items, path, isTemp: hasItems, fileId, lineCount: result.lineCount }
  } catch (err) {
    if (hasItems) rmSync(path, { force: true })
    throw err
  }
}

/** Image file ids referenced by vision items must be this org's files. */
function imageProblems(deps: Deps, orgId: string, drafts: ItemDraft[]): PreflightProblem[] {
  const problems: PreflightProblem[] = []
  for (const d of drafts) {
    for (const id of d.imageFileIds) {
      try {
        getFileForOrg(deps, orgId, id)
      } catch {
        problems.push({ line: d.line, item: d.customerItemId, code: 'unknown_file', param: 'input', message: `Image file '${id}' does not exist in this account; upload it with POST /v1/files.` })
      }
    }
  }
  return problems
}

/** The 400 envelope with every problem (capped at 100) in details.preflight. */
export function preflightError(problems: PreflightProblem[], total: number): AppError {
  const first = problems[0]
  const where = first?.line ? ` (line ${first.line})` : ''
  const more = total > 1 ? ` and ${total - 1} more problem${total - 1 === 1 ? '' : 's'}` : ''
  return new AppError('preflight_failed', {
    message: `The batch input has problems: ${(first?.message ?? 'invalid input').replace(/\.$/, '')}${where}${more}. Fix every entry in error.details.preflight and send it again.`,
    param: first?.param ?? null,
    details: { preflight: problems.slice(0, MAX_PROBLEMS), problem_count: total },
  })
}

// ---- Inline items (`items: [...]` in a create or quote body) are written to a JSONL file first, so
// inline and file inputs share one ingest and one dispatch path (design §3).

/**
 * Writes one `JSON.stringify(item)` per line, each '\n'-terminated, to a new file in `dir`
 * (created if missing). Returns its path and size in bytes; the caller owns (and removes) it.
 */
export async function writeInlineItemsFile(dir: string, items: unknown[]): Promise<{ path: string; bytes: number }> {
  await mkdir(dir, { recursive: true })
  const path = join(dir, `inline-${randomBase62(16)}.jsonl`)
  const sink = Bun.file(path).writer()
  let bytes = 0
  for (const item of items) {
    // `undefined` has no JSON form; write `null` so the line exists and fails preflight by number.
    const line = `${JSON.stringify(item) ?? 'null'}\n`
    sink.write(line)
    bytes += Buffer.byteLength(line)
  }
  await sink.end()
  return { path, bytes }
}
