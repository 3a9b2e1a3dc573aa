/**
 * Anthropic Message → the contract's `chat.completion` output (contract §5 Result row), with
 * normalized usage. Pure. Text blocks are joined; `tool_use` blocks become `tool_calls`;
 * thinking and other block types are left out of the chat message.
 */
import type { ProviderUsage } from '../types'

/** The fields of an Anthropic Message this translation reads (checked by the adapter's wire schema). */
export interface AnthropicMessage {
  id: string
  model: string
  content: Array<{ type: string; text?: string; id?: string; name?: string; input?: unknown }>
  stop_reason: string | null
  usage: { input_tokens: number; output_tokens: number; cache_creation_input_tokens?: number | null; cache_read_input_tokens?: number | null }
}

/** Anthropic `stop_reason` → OpenAI `finish_reason`. */
export const FINISH_REASONS: Readonly<Record<string, string>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
}

/** Usage in our terms: every input token counted (cache writes and reads included), reads also as cached. */
export function messageUsage(message: AnthropicMessage): ProviderUsage {
  const u = message.usage
  const cacheRead = u.cache_read_input_tokens ?? 0
  return { inputTokens: u.input_tokens + (u.cache_creation_input_tokens ?? 0) + cacheRead, outputTokens: u.output_tokens, cachedTokens: cacheRead }
}

/** The chat.completion for `message`; `nowMs` stamps `created` (Anthropic messages carry no time). */
export function messageToChatCompletion(message: AnthropicMessage, nowMs: number): Record<string, unknown> {
  const text = message.content.filter((b) => b.type === 'text').map((b) => b.text ?? '').join('')
  const toolCalls = message.content
    .filter((b) => b.type === 'tool_use')
    .map((b) => ({ id: b.id ?? '', type: 'function', function: { name: b.name ?? '', arguments: JSON.stringify(b.input ?? {}) } }))
  const chatMessage: Record<string, unknown> = { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text }
  if (toolCalls.length > 0) chatMessage.tool_calls = toolCalls
  const usage = messageUsage(message)
  return {
    id: message.id,
    object: 'chat.completion',
    created: Math.floor(nowMs / 1000),
    model: message.model,
    choices: [{ index: 0, message: chatMessage, logprobs: null, finish_reason: FINISH_REASONS[message.stop_reason ?? ''] ?? 'stop' }],
    usage: {
      prompt_tokens: usage.inputTokens,
      completion_tokens: usage.outputTokens,
      total_tokens: usage.inputTokens + usage.outputTokens,
      prompt_tokens_details: { cached_tokens: usage.cachedTokens },
    },
  }
}
