/**
 * Pure translation for the OpenAI Batch dialect: our entry → one input JSONL line (research
 * §A.4), the batch status → our remote state, and one output/error line → an ItemOutcome.
 */
import { errorForStatus, providerError, safeErrorCode } from '../http-errors'
import { targetUrl } from '../batch-split'
import { chatUsage, embeddingUsage, upstreamBody } from '../openai-compatible/map'
import { checkChatCompletion, checkEmbeddingList, errorCodeOf } from '../openai-compatible/wire'
import type { BatchEntry, ItemOutcome, RemoteJobState } from '../types'
import type { Batch, OutputLine } from './wire'

/** The input file line of one entry: `{custom_id, method, url, body}` with the body's model set. */
export function inputLine(entry: BatchEntry): string {
  return JSON.stringify({ custom_id: entry.customId, method: 'POST', url: targetUrl(entry.request.url), body: upstreamBody(entry.request) })
}

/** OpenAI batch status → our remote state (research §A.3 lifecycle). */
export function remoteState(status: Batch['status']): RemoteJobState {
  switch (status) {
    case 'validating':
    case 'in_progress':
    case 'finalizing':
      return 'running'
    case 'cancelling':
      return 'cancelling'
    case 'completed':
      return 'ended'
    default:
      return status
  }
}

/** Line-level error codes meaning the line never ran (research §A.5). */
const NOT_RUN_CODES: Record<string, string> = {
  batch_expired: 'The provider batch expired before this item ran.',
  batch_cancelled: 'The provider batch was cancelled before this item ran.',
}

/** The outcome of one output/error line for item `itemId`. */
export function outcomeOfLine(line: OutputLine, itemId: string): ItemOutcome {
  const fail = (error: ReturnType<typeof providerError>): ItemOutcome => ({ ok: false, itemId, error })
  const code = line.error?.code ?? undefined
  if (code && NOT_RUN_CODES[code]) return fail(providerError('not_run', NOT_RUN_CODES[code]!))
  if (code === 'request_timeout') return fail(providerError('timeout', 'The provider timed out this request inside the batch.'))
  const response = line.response
  if (!response) {
    const safe = safeErrorCode(code)
    return fail(providerError('server_error', `The provider reported a failure for this line${safe ? ` (${safe})` : ''}.`))
  }
  if (response.status_code < 200 || response.status_code > 299) {
    return fail(errorForStatus(response.status_code, { code: safeErrorCode(errorCodeOf(response.body)) }))
  }
  const body = response.body
  const requestId = typeof response.request_id === 'string' ? { requestId: response.request_id } : {}
  if (checkChatCompletion.Check(body)) return { ok: true, itemId, output: body as Record<string, unknown>, usage: chatUsage(body), ...requestId }
  if (checkEmbeddingList.Check(body)) return { ok: true, itemId, output: body as Record<string, unknown>, usage: embeddingUsage(body), ...requestId }
  return fail(providerError('malformed_response', `The provider's batch line answered HTTP ${response.status_code} with a body that is neither a chat.completion nor an embeddings list.`, { status: response.status_code }))
}
