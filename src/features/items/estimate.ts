/**
 * Input-token estimates of a canonical request (see lib/tokens for the counting rules).
 * Chat: messages with per-message overhead and image costs, plus the JSON of `tools` and
 * `response_format` (they are sent to the model too). Embeddings: the sum over texts, and the
 * largest text — the context window applies to each text separately.
 */
import { countTokens, estimateMessagesTokens, type Tokenizer } from '../../lib/tokens'
import type { RequestView } from './normalize'

export interface InputEstimate {
  /** Input tokens of the whole request. */
  total: number
  /** The part the context window applies to: the whole chat, or the largest embedding text. */
  largest: number
}

/** Estimated (or, with `exact` and an OpenAI encoding, exact) input tokens of `view`. */
export function estimateInput(view: RequestView, tokenizer: Tokenizer, exact: boolean): InputEstimate {
  if (view.kind === 'embeddings') {
    let total = 0
    let largest = 0
    for (const text of view.texts) {
      const n = countTokens(text, tokenizer, exact)
      total += n
      if (n > largest) largest = n
    }
    return { total, largest }
  }
  let total = estimateMessagesTokens(view.messages, tokenizer, exact)
  for (const key of ['tools', 'response_format'] as const) {
    const value = view.params[key]
    if (value !== undefined && value !== null) total += countTokens(JSON.stringify(value), tokenizer, exact)
  }
  return { total, largest: total }
}
