/**
 * Items: the unit of work (contract §3). One line of a batch's input file becomes one ItemDraft;
 * a bad line becomes one or more PreflightProblems instead.
 */
import type { Catalog } from '../../catalog-schema'

/** Operations an item can ask for. */
export type ItemOperation = 'responses' | 'embeddings' | 'vision'

/** OpenAI endpoints an item line may name (contract §3). */
export const ITEM_URLS = ['/v1/chat/completions', '/v1/embeddings', '/v1/responses'] as const
export type ItemUrl = (typeof ITEM_URLS)[number]

/** Problem codes a line can earn at preflight; each names what the client must fix. */
export const PREFLIGHT_CODES = [
  'invalid_json', // the line is not a JSON object (or is blank, or over the line-size limit): fix the line
  'invalid_item', // neither line shape, or a missing/ill-typed field named in `param`
  'unknown_model', // the model is neither a catalog slug nor an alias; the message lists valid slugs
  'operation_unsupported', // the model does not offer the item's operation (e.g. images to a text-only model)
  'duplicate_customer_item_id', // a customer_item_id/custom_id repeated in the batch; reported on the later line
  'customer_item_id_invalid', // customer_item_id/custom_id must be 1–512 characters
  'stream_not_supported', // `stream: true` has no meaning in a batch
  'endpoint_mismatch', // OpenAI line: url ≠ the batch endpoint, url not a supported endpoint, or method ≠ POST
  'context_window_exceeded', // estimated input + requested output tokens exceed the model's context window
  'too_many_items', // more lines than the batch limit; reported once, on the first line over it
  'empty_input', // the input holds no item at all
] as const
export type PreflightCode = (typeof PREFLIGHT_CODES)[number]

/** At most this many problems are listed (contract §5); `problemCount` keeps the full count. */
export const MAX_LISTED_PROBLEMS = 100

/** One valid line, ready to become an items row: routing facts and the byte range of its line. */
export interface ItemDraft {
  /** 0-based input order. */
  seq: number
  /** 1-based line number in the input file. */
  line: number
  /** Byte offset of the line in the file. */
  offset: number
  /** Bytes of the line, without the newline. */
  length: number
  customerItemId: string
  /** Canonical catalog slug (aliases resolved). */
  model: string
  operation: ItemOperation
  url: ItemUrl
  estInputTokens: number
  estOutputTokens: number
  /** The request carries a non-empty `tools` list. */
  needsTools: boolean
  /**
   * Why the chat request cannot be translated for the Anthropic Messages dialect
   * (`<rejection_code>:<feature>`, providers/translate), or null; routing rejects Anthropic lanes with it.
   */
  untranslatable: string | null
  /** Files referenced by `{type:"input_image", file_id}` blocks; the caller checks ownership. */
  imageFileIds: string[]
}

/** One preflight problem, as listed in `details.preflight` (contract §0). */
export interface PreflightProblem {
  line: number | null
  item: string | null
  /** A PreflightCode here; other preflight stages may add their own codes. */
  code: string
  message: string
  param?: string
}

export interface IngestResult {
  /** Valid items in input order (items past `maxItems` are not kept). */
  items: ItemDraft[]
  /** Problems in line order, capped at MAX_LISTED_PROBLEMS. */
  problems: PreflightProblem[]
  /** Every problem found, uncapped. */
  problemCount: number
  /** Lines considered: the number of the last non-blank line (trailing blank lines are ignored). */
  lineCount: number
}

export interface IngestOptions {
  catalog: Catalog
  /** OpenAI create shape: every OpenAI line's url must equal it. */
  endpoint?: string
  maxItems: number
  /** Longest accepted line in bytes. */
  lineBytes: number
  /** Deepest nesting of arrays and objects a line may have (config limits.jsonDepth; default DEFAULT_JSON_DEPTH). */
  maxDepth?: number
  /** Count exactly for OpenAI-family models (quotes); otherwise estimate, exact only near a limit. */
  exactTokens?: boolean
}
