/**
 * Pure translation for the Anthropic Message Batches dialect: provider-safe custom ids, one
 * request entry (`{custom_id, params}` via translate/), the batch status → our remote state,
 * and one results line → an ItemOutcome (research §B.4 mapping table).
 */
import { providerError } from '../http-errors'
import { chatToMessagesParams, DEFAULT_ANTHROPIC_MAX_TOKENS, messageToChatCompletion, messageUsage } from '../translate/index'
import type { BatchEntry, ItemOutcome, ProviderError, ProviderErrorKind, RemoteJobState } from '../types'
import { checkMessage, errorTypeOf, type MessageBatch, type ResultLine } from './wire'

/** Anthropic's custom_id rule (research §B.2). */
export const CUSTOM_ID_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/

/** The item id itself when Anthropic accepts it, else `r-<index>` (unique within the job). */
export function safeCustomId(itemId: string, index: number): string {
  return CUSTOM_ID_PATTERN.test(itemId) ? itemId : `r-${index}`
}

/** The `{custom_id, params}` request of one entry, or the refusal when it cannot be translated. */
export function requestEntry(entry: BatchEntry, defaultMaxTokens = DEFAULT_ANTHROPIC_MAX_TOKENS): { ok: true; value: { custom_id: string; params: Record<string, unknown> } } | { ok: false; error: ProviderError } {
  if (entry.request.operation === 'embeddings' || entry.request.url === '/v1/embeddings') {
    return { ok: false, error: providerError('invalid_request', 'Anthropic Message Batches cannot run embeddings.') }
  }
  const translated = chatToMessagesParams(entry.request.body, entry.request.model, { defaultMaxTokens })
  if (!translated.ok) return { ok: false, error: providerError('invalid_request', `This item cannot be sent to Anthropic: ${translated.refusal.message}`) }
  return { ok: true, value: { custom_id: entry.customId, params: translated.params } }
}

/** Our remote state: `ended` splits into expired / cancelled / ended by what the counts and cancel say. */
export function remoteState(batch: MessageBatch): RemoteJobState {
  if (batch.processing_status === 'in_progress') return 'running'
  if (batch.processing_status === 'canceling') return 'cancelling'
  if (batch.request_counts.expired > 0) return 'expired'
  if (batch.cancel_initiated_at) return 'cancelled'
  return 'ended'
}

/** Anthropic error types → our error kinds (research §B.1). */
const ERROR_KINDS: Record<string, ProviderErrorKind> = {
  invalid_request_error: 'invalid_request',
  not_found_error: 'invalid_request',
  authentication_error: 'auth',
  permission_error: 'auth',
  billing_error: 'auth',
  rate_limit_error: 'rate_limited',
  timeout_error: 'timeout',
  overloaded_error: 'server_error',
  api_error: 'server_error',
}

/** The outcome of one results line for `itemId`; `nowMs` stamps the chat.completion. */
export function outcomeOfResult(line: ResultLine, itemId: string, nowMs: number): ItemOutcome {
  const result = line.result
  const fail = (error: ProviderError): ItemOutcome => ({ ok: false, itemId, error })
  switch (result.type) {
    case 'succeeded': {
      if (!checkMessage.Check(result.message)) return fail(providerError('malformed_response', 'The provider returned a succeeded result that is not a Message.'))
      return { ok: true, itemId, output: messageToChatCompletion(result.message, nowMs), usage: messageUsage(result.message), requestId: result.message.id }
    }
    case 'errored': {
      const type = errorTypeOf(result.error) ?? 'api_error'
      const kind = ERROR_KINDS[type] ?? 'server_error'
      return fail(providerError(kind, `The provider reported ${/^[a-z_]{1,40}$/.test(type) ? type : 'an error'} for this request.`))
    }
    case 'canceled':
      return fail(providerError('not_run', 'The provider batch was cancelled before this item ran.'))
    case 'expired':
      return fail(providerError('not_run', 'The provider batch expired before this item ran.'))
  }
}
