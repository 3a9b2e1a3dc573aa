/**
 * Batch input ingest: ONE streaming pass over a JSONL file. Each line is parsed and validated
 * (validate-line.ts) and becomes a small ItemDraft holding the line's byte range — the prompt
 * stays in the file. The loop yields to the event loop every few milliseconds so a 200 MB
 * ingest never stalls the API (perf-notes), and memory is the drafts plus one chunk.
 */
import { jsonlLines, stripBom, type JsonlLine } from '../../lib/jsonl'
import { DEFAULT_JSON_DEPTH, parseBoundedJson } from '../../lib/json-limits'
import { validateLine, type LineContext } from './validate-line'
import { MAX_LISTED_PROBLEMS, type IngestOptions, type IngestResult, type ItemDraft, type PreflightProblem } from './types'

/** Longest stretch of work between yields to the event loop. */
const YIELD_AFTER_MS = 5

export interface IngestHooks {
  /** Called with every `chunkItems` new drafts in input order (and the rest at the end). */
  onItems?: (chunk: ItemDraft[]) => void
  chunkItems?: number
  /** false: drafts handed to onItems are not kept in the result (its `items` is then empty). */
  keepItems?: boolean
  /** Longest stretch of work between yields (default 5 ms; a Worker has no API to keep responsive). */
  yieldAfterMs?: number
}

/** Problems in line order, the first MAX_LISTED_PROBLEMS kept, all counted. */
class ProblemList {
  readonly listed: PreflightProblem[] = []
  count = 0
  /** `pinned` problems are listed even when the list is full (they replace the last entry). */
  add(problem: PreflightProblem, pinned = false): void {
    this.count += 1
    if (this.listed.length < MAX_LISTED_PROBLEMS) this.listed.push(problem)
    else if (pinned) this.listed[MAX_LISTED_PROBLEMS - 1] = problem
  }
}

/**
 * Validates every line of the JSONL file at `path` (both line shapes, mixed) and returns the
 * drafts of the valid lines plus every problem. Never throws for bad content; throws only when
 * the file cannot be read. Trailing blank lines are ignored; interior ones are `invalid_json`.
 */
export async function ingestJsonlFile(path: string, opts: IngestOptions, hooks: IngestHooks = {}): Promise<IngestResult> {
  const yieldAfterMs = hooks.yieldAfterMs ?? YIELD_AFTER_MS
  const chunkItems = hooks.chunkItems ?? 500
  let flushed = 0 // items already handed to hooks.onItems
  let dropped = 0 // items handed over and not kept (keepItems false)
  const flush = () => {
    hooks.onItems!(items.slice(flushed))
    if (hooks.keepItems === false) {
      dropped += items.length
      items.length = 0
    }
    flushed = items.length
  }
  const problems = new ProblemList()
  const items: ItemDraft[] = []
  const ctx: LineContext = { catalog: opts.catalog, endpoint: opts.endpoint, exactTokens: opts.exactTokens ?? false, seenIds: new Map() }
  let blankFrom = 0 // first of the blank lines seen since the last non-blank one
  let blankCount = 0
  let lineCount = 0
  let nonBlank = 0
  let tooMany: PreflightProblem | null = null
  let lastYield = performance.now()

  for await (const l of jsonlLines(Bun.file(path).stream(), { maxLineBytes: opts.lineBytes })) {
    if (l.text !== null && isBlank(l.text)) {
      if (blankCount++ === 0) blankFrom = l.line
      continue
    }
    for (let i = 0; i < blankCount; i++) {
      problems.add({ line: blankFrom + i, item: null, code: 'invalid_json', message: `Line ${blankFrom + i} is blank; every line must hold one JSON object.` })
    }
    blankCount = 0
    lineCount = l.line
    nonBlank += 1
    if (nonBlank === opts.maxItems + 1) {
      tooMany = { line: l.line, item: null, code: 'too_many_items', message: '' }
      problems.add(tooMany, true)
    }
    const draft = ingestLine(l, ctx, problems, opts)
    if (draft && nonBlank <= opts.maxItems) items.push({ ...draft, seq: dropped + items.length })
    if (hooks.onItems && items.length - flushed >= chunkItems) flush()
    if (performance.now() - lastYield > yieldAfterMs) {
      await new Promise((resolve) => setImmediate(resolve))
      lastYield = performance.now()
    }
  }
  if (hooks.onItems && items.length > flushed) flush()
  if (tooMany) tooMany.message = `The input has ${nonBlank} items; a batch holds at most ${opts.maxItems}. Split it into several batches.`
  if (nonBlank === 0) problems.add({ line: null, item: null, code: 'empty_input', message: 'The input holds no items.' })
  return { items, problems: problems.listed, problemCount: problems.count, lineCount }
}

/** Parses and validates one non-blank line; records its problems and returns its draft when valid. */
function ingestLine(l: JsonlLine, ctx: LineContext, problems: ProblemList, opts: IngestOptions): Omit<ItemDraft, 'seq'> | null {
  if (l.text === null) {
    const message = l.error === 'too_long' ? `Line ${l.line} is ${l.length} bytes, over the ${opts.lineBytes}-byte line limit.` : `Line ${l.line} is not valid UTF-8.`
    problems.add({ line: l.line, item: null, code: 'invalid_json', message })
    return null
  }
  const maxDepth = opts.maxDepth ?? DEFAULT_JSON_DEPTH
  let parsed: ReturnType<typeof parseBoundedJson>
  try {
    parsed = parseBoundedJson(l.line === 1 ? stripBom(l.text) : l.text, maxDepth)
  } catch (err) {
    problems.add({ line: l.line, item: null, code: 'invalid_json', message: `Line ${l.line} is not valid JSON (${(err as Error).message}).` })
    return null
  }
  if (!parsed.ok) {
    const { problem } = parsed
    const message = problem.kind === 'too_deep' ? `Line ${l.line} nests arrays and objects more than ${maxDepth} levels deep; flatten it.` : `Line ${l.line}: ${problem.message}`
    problems.add({ line: l.line, item: null, code: problem.kind === 'too_deep' ? 'invalid_json' : 'invalid_item', message, ...(problem.param ? { param: problem.param } : {}) })
    return null
  }
  const value = parsed.value
  const verdict = validateLine(value, l.line, ctx)
  for (const p of verdict.problems) problems.add({ line: l.line, ...p })
  return verdict.facts && { ...verdict.facts, line: l.line, offset: l.offset, length: l.length }
}

function isBlank(text: string): boolean {
  return text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim() === '')
}
