/**
 * `/v1/responses` lines run as chat completions on every lane (items/responses-api.ts), so their
 * stored output is a chat.completion. OpenAI's batch output file holds, for such a line, a
 * Responses API object; this pure translator builds it from the chat.completion and, when
 * available, the line's request body (echoed fields such as `instructions`, `tools`,
 * `temperature`, as OpenAI's response object carries them).
 *
 * - text → one `message` output item with an `output_text` part (a refusal → a `refusal` part);
 * - each tool call → a `function_call` output item (`call_id` is the chat tool call id);
 * - `finish_reason` length / content_filter → status `incomplete` with `incomplete_details`;
 * - usage → `input_tokens`/`output_tokens`/`total_tokens` with cached and reasoning details.
 */

type Json = Record<string, unknown>

type ChatContent = string | { type?: string; text?: string }[] | null | undefined

/** The parts of a chat.completion the translation reads. */
export interface ChatCompletionLike {
  id?: string
  object?: string
  created?: number
  model?: string
  service_tier?: string | null
  choices?: {
    index?: number
    finish_reason?: string | null
    message?: {
      role?: string
      content?: ChatContent
      refusal?: string | null
      tool_calls?: { id?: string; type?: string; function?: { name?: string; arguments?: string } }[] | null
    }
  }[]
  usage?: {
    prompt_tokens?: number
    completion_tokens?: number
    total_tokens?: number
    prompt_tokens_details?: { cached_tokens?: number } | null
    completion_tokens_details?: { reasoning_tokens?: number } | null
  }
}

export interface ResponseShapeOptions {
  /** The response id (`resp_…`); message and function-call item ids are derived from it. */
  id: string
  /** The line's Responses request body, for the fields a response echoes; absent → defaults. */
  request?: Json | null
  /** When the item finished, unix seconds (`completed_at`). */
  completedAt?: number | null
}

/** True when `body` looks like a chat.completion this module can translate. */
export function isChatCompletion(body: unknown): body is ChatCompletionLike {
  return typeof body === 'object' && body !== null && (body as Json).object === 'chat.completion' && Array.isArray((body as Json).choices)
}

const INCOMPLETE_REASONS: Record<string, string> = { length: 'max_output_tokens', content_filter: 'content_filter' }

/** The Responses API object for a chat.completion (see the module comment). */
export function chatCompletionToResponse(chat: ChatCompletionLike, opts: ResponseShapeOptions) {
  const request = opts.request ?? {}
  const choice = chat.choices?.[0]
  const message = choice?.message ?? {}
  const incompleteReason = INCOMPLETE_REASONS[choice?.finish_reason ?? ''] ?? null
  const status = incompleteReason ? ('incomplete' as const) : ('completed' as const)
  const base = opts.id.replace(/^resp_/, '')

  const output: Json[] = []
  const text = textOf(message.content)
  const toolCalls = (message.tool_calls ?? []).filter((c) => c && (c.type === undefined || c.type === 'function'))
  if (message.refusal) {
    output.push({ type: 'message', id: `msg_${base}`, status, role: 'assistant', content: [{ type: 'refusal', refusal: message.refusal }] })
  } else if (text !== '' || toolCalls.length === 0) {
    output.push({ type: 'message', id: `msg_${base}`, status, role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] })
  }
  toolCalls.forEach((call, i) => {
    output.push({ type: 'function_call', id: `fc_${base}_${i}`, call_id: call.id ?? `call_${base}_${i}`, name: call.function?.name ?? '', arguments: call.function?.arguments ?? '{}', status: 'completed' })
  })

  const u = chat.usage ?? {}
  const inputTokens = u.prompt_tokens ?? 0
  const outputTokens = u.completion_tokens ?? 0
  const created = chat.created ?? opts.completedAt ?? 0
  return {
    id: opts.id,
    object: 'response' as const,
    created_at: created,
    status,
    background: false,
    completed_at: status === 'completed' ? (opts.completedAt ?? created) : null,
    error: null,
    incomplete_details: incompleteReason ? { reason: incompleteReason } : null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    metadata: request.metadata ?? {},
    model: chat.model ?? (typeof request.model === 'string' ? request.model : ''),
    output,
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: request.previous_response_id ?? null,
    reasoning: { effort: (request.reasoning as Json | undefined)?.effort ?? null, summary: null },
    service_tier: chat.service_tier ?? 'default',
    temperature: request.temperature ?? 1,
    text: request.text ?? { format: { type: 'text' } },
    tool_choice: request.tool_choice ?? 'auto',
    tools: request.tools ?? [],
    top_p: request.top_p ?? 1,
    truncation: request.truncation ?? 'disabled',
    usage: {
      input_tokens: inputTokens,
      input_tokens_details: { cached_tokens: u.prompt_tokens_details?.cached_tokens ?? 0 },
      output_tokens: outputTokens,
      output_tokens_details: { reasoning_tokens: u.completion_tokens_details?.reasoning_tokens ?? 0 },
      total_tokens: u.total_tokens ?? inputTokens + outputTokens,
    },
    ...(typeof request.user === 'string' ? { user: request.user } : {}),
  }
}

/** Chat message content as plain text (a string, or the text parts of a content array). */
function textOf(content: ChatContent): string {
  if (typeof content === 'string') return content
  if (Array.isArray(content)) return content.map((p) => (typeof p?.text === 'string' ? p.text : '')).join('')
  return ''
}
