/** The simulated provider batch and its lines: the shapes the store, the table and the dialects share. */

/** How a served result line is broken by `malformed_results_rate`: not JSON, or JSON of the wrong shape. */
export type MalformedVariant = 'not_json' | 'wrong_shape'

/** What became of one line: it ran (with its wire answer, maybe to be served malformed), or it never ran. */
export type LineResult = { ran: true; ok: boolean; wire: Record<string, unknown>; malformed?: MalformedVariant } | { ran: false; why: 'expired' | 'cancelled' }

/** One request of a batch, as stored: its place, request, schedule and (once run or ended) result. */
export interface SimBatchLine {
  /** 0-based position in the batch. */
  idx: number
  customId: string
  /** The request as sent (OpenAI line `body`, Anthropic `params`). */
  body: Record<string, unknown>
  /** Simulated ms at which the line runs; Infinity when it will not run before the batch ends. */
  finishAt: number
  result?: LineResult
}

/** How a batch ended. */
export type SimBatchEnd = 'completed' | 'expired' | 'cancelled' | 'failed'

/** Batch-level faults, fixed from the scenario when the batch is created (batch-faults.ts). */
export interface BatchFaults {
  /** Forget the batch after this many retrieves (0: right after the create answer); null: never. */
  loseAfterPolls: number | null
  /** End the batch failed (OpenAI) or with every request errored (Anthropic). */
  failBatch: boolean
  /** Share of result-file lines served malformed. */
  malformedRate: number
  /** Seed of the malformed-line draw. */
  seed: number
}

/** A batch of either dialect, as stored (its lines are read through the store). */
export interface SimBatch {
  id: string
  dialect: 'openai' | 'anthropic'
  model: string | undefined
  createdAt: number
  turnaroundMs: number
  lineCount: number
  cancelRequestedAt: number | null
  endedAt: number | null
  end: SimBatchEnd | null
  /** OpenAI: file-level failures; the batch fails once validation time has passed. */
  errors: { code: string; message: string; param?: string | null; line: number | null }[]
  /** OpenAI-only fields. */
  openai?: { endpoint: string; inputFileId: string; completionWindow: string; metadata: Record<string, string> | null; outputFileId: string | null; errorFileId: string | null }
  faults: BatchFaults
  /** Retrieves answered so far (drives `lose_batches`). */
  polls: number
}
