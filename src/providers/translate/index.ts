/**
 * Wire translation between the OpenAI chat dialect (what items hold) and Anthropic Messages.
 * Pure functions only; `anthropicRefusal` is what ingest records so routing can reject an
 * Anthropic lane at quote time instead of failing the item at run time.
 */
import { chatToMessagesParams } from './chat-to-messages'
import type { Refusal } from './content'

export { chatToMessagesParams, type TranslateOptions, type Translated } from './chat-to-messages'
export { messageToChatCompletion, messageUsage, FINISH_REASONS, type AnthropicMessage } from './messages-to-chat'
export { REFUSAL_CODES, ANTHROPIC_IMAGE_TYPES, type Refusal } from './content'

/** `max_tokens` sent to Anthropic when an item names none; matches the catalog's default_output_tokens for Claude models. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 1024

/**
 * Why a chat request (`messages` plus its other parameters) cannot go to Anthropic, or null when
 * it can. Unresolved `input_image` file parts count as translatable images.
 */
export function anthropicRefusal(body: Record<string, unknown>): Refusal | null {
  const translated = chatToMessagesParams(body, 'check', { defaultMaxTokens: DEFAULT_ANTHROPIC_MAX_TOKENS, allowFileImages: true })
  return translated.ok ? null : translated.refusal
}

/** The compact form stored on an item and read by routing: `<rejection_code>:<feature>`. */
export function formatRefusal(r: Refusal): string {
  return `${r.code}:${r.feature}`
}

/** Parses `formatRefusal` output; unknown codes read as operation_unsupported. */
export function parseRefusal(text: string): { code: Refusal['code']; feature: string } {
  const [code, ...rest] = text.split(':')
  return { code: code === 'tool_support' ? 'tool_support' : 'operation_unsupported', feature: rest.join(':') }
}
