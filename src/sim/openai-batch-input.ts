/**
 * Validation of an OpenAI batch input file (research §A.4) the way the Batch API reports it:
 * problems do not refuse the create call, they fail the batch after `validating` with
 * `errors.data[{code, message, line}]`. The simulator also insists on one model per file and
 * on the provider limits, so an adapter that forgets to split is caught.
 */
import { JsonlSplitter } from '../lib/jsonl'
import type { BatchLimits } from './batch-store'

export interface ParsedInput {
  /** The model of the first valid line. */
  model: string | undefined
  lines: { customId: string; body: Record<string, unknown> }[]
  errors: { code: string; message: string; line: number | null }[]
}

const MAX_LISTED_ERRORS = 10

/** Parses and checks every line against `endpoint` and the limits. */
export function parseInputFile(content: Uint8Array, endpoint: string, limits: BatchLimits): ParsedInput {
  const out: ParsedInput = { model: undefined, lines: [], errors: [] }
  const fail = (code: string, message: string, line: number | null) => {
    if (out.errors.length < MAX_LISTED_ERRORS) out.errors.push({ code, message, line })
  }
  if (content.byteLength > limits.maxBytes) fail('file_too_large', `The input file is ${content.byteLength} bytes; a batch accepts at most ${limits.maxBytes}.`, null)
  const seen = new Set<string>()
  const rows = splitLines(content)
  if (rows.length > limits.maxRequests) fail('too_many_requests', `The input file has ${rows.length} requests; a batch accepts at most ${limits.maxRequests}.`, null)
  if (rows.length === 0) fail('empty_file', 'The input file is empty.', null)
  rows.forEach((row, i) => {
    const lineNo = i + 1
    let value: unknown
    try {
      value = JSON.parse(row)
    } catch {
      return fail('invalid_json_line', 'This line is not valid JSON.', lineNo)
    }
    const v = value as { custom_id?: unknown; method?: unknown; url?: unknown; body?: unknown }
    if (typeof v.custom_id !== 'string' || v.custom_id === '') return fail('missing_required_parameter', 'custom_id is required.', lineNo)
    if (seen.has(v.custom_id)) return fail('duplicate_custom_id', `custom_id '${v.custom_id}' is used more than once.`, lineNo)
    seen.add(v.custom_id)
    if (v.method !== 'POST') return fail('invalid_method', 'method must be POST.', lineNo)
    if (v.url !== endpoint) return fail('mismatched_endpoint', `url must equal the batch endpoint ${endpoint}.`, lineNo)
    const body = v.body
    if (!isJsonObject(body)) return fail('invalid_body', 'body must be a JSON object.', lineNo)
    if (typeof body.model === 'string') {
      if (out.model === undefined) out.model = body.model
      else if (body.model !== out.model) return fail('model_mismatch', `Every line of a batch must use one model (${out.model}).`, lineNo)
    }
    out.lines.push({ customId: v.custom_id, body })
  })
  return out
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** The file's lines (the appliance's one JSONL splitter); a line that is not UTF-8 is kept as text that fails JSON parsing. */
function splitLines(content: Uint8Array): string[] {
  const splitter = new JsonlSplitter()
  const lines = splitter.push(content)
  const last = splitter.end()
  if (last) lines.push(last)
  return lines.map((l) => l.text ?? '\ufffd')
}
