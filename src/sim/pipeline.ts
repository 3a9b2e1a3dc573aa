/**
 * The fault pipeline every upstream (wire) request goes through, whatever its dialect:
 * count it, decide its fault from the scenario, apply latency, then either misbehave or call
 * the dialect's `answer`. Control routes do not go through here.
 */
import { behaviourFor, decideFault, type FaultDecision } from './faults'
import { anthropicError, openAiError, sleepUnlessAborted, type SimContext } from './respond'
import { ITEM_ID_HEADER, recordArrival, recordOutcome, type SimState } from './state'

/** Safety net: a hanging request is released after this long even if the client never leaves. */
const MAX_HANG_MS = 15 * 60_000

/** How a dialect wants its faults served. */
export interface FaultOptions {
  /** Count the request under `by_model` (default true; batch dialects count their lines instead). */
  countModel?: boolean
  /** Error envelope of scripted failures (default `openai`). */
  envelope?: 'openai' | 'anthropic'
}

/** Runs one wire request through the scenario; `answer` is only called when no fault applies. */
export async function serveWithFaults(ctx: SimContext, model: string | undefined, answer: () => Response | Promise<Response>, opts: FaultOptions = {}): Promise<Response> {
  const { request, state } = ctx
  const path = new URL(request.url).pathname
  const customId = request.headers.get(ITEM_ID_HEADER) ?? undefined
  const { key, attempt, generation } = recordArrival(state, { path, model: opts.countModel === false ? undefined : model, customId })
  const behaviour = behaviourFor(state.scenario, model)
  const decision = decideFault(behaviour, { model, key, attempt })
  let response: Response | undefined
  try {
    await sleepUnlessAborted(behaviour.latency_ms ?? 0, request.signal)
    if (decision.kind === 'timeout') {
      await hangUntilClientLeaves(state, request.signal)
      recordOutcome(state, 'timeout', generation)
      if (opts.envelope === 'anthropic') return anthropicError(504, 'Simulated timeout: the request was held without an answer.', 'timeout_error')
      return openAiError(504, 'Simulated timeout: the request was held without an answer.', { type: 'timeout_error' })
    }
    response = decision.kind === 'answer' ? await answer() : misbehave(decision, opts.envelope ?? 'openai')
    return response
  } finally {
    if (decision.kind !== 'timeout') recordOutcome(state, response?.status ?? 500, generation)
  }
}

function misbehave(decision: Exclude<FaultDecision, { kind: 'answer' } | { kind: 'timeout' }>, envelope: 'openai' | 'anthropic'): Response {
  if (decision.kind === 'fail' && envelope === 'anthropic') return simulatedAnthropicFailure(decision.status, decision.retryAfterS)
  if (decision.kind === 'malformed') {
    const body = decision.variant === 'truncated_json' ? '{"id":"sim-malformed","object":"chat.completion","choices":[{"index":0,"mess' : '{"object":"sim.malformed","detail":"simulated malformed response"}'
    return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } })
  }
  return simulatedFailure(decision.status, decision.retryAfterS)
}

/** The error envelope of a scripted failure, with Retry-After (and -ms when fractional) on 429/503. */
export function simulatedFailure(status: number, retryAfterS?: number): Response {
  const headers: Record<string, string> = {}
  if (retryAfterS !== undefined && (status === 429 || status === 503)) {
    headers['retry-after'] = String(Math.ceil(retryAfterS))
    if (!Number.isInteger(retryAfterS)) headers['retry-after-ms'] = String(Math.round(retryAfterS * 1000))
  }
  const [message, code] = FAILURE_TEXT[status] ?? [`Simulated failure (HTTP ${status}).`, null]
  return openAiError(status, message, { code, headers })
}

/** The Anthropic error envelope of a scripted failure, with the same Retry-After rules. */
export function simulatedAnthropicFailure(status: number, retryAfterS?: number): Response {
  const openAi = simulatedFailure(status, retryAfterS)
  const headers: Record<string, string> = {}
  openAi.headers.forEach((value, name) => {
    if (name.startsWith('retry-after')) headers[name] = value
  })
  return anthropicError(status, FAILURE_TEXT[status]?.[0] ?? `Simulated failure (HTTP ${status}).`, undefined, headers)
}

const FAILURE_TEXT: Record<number, [string, string | null]> = {
  401: ['Incorrect API key provided (simulated).', 'invalid_api_key'],
  403: ['You are not allowed to use this model (simulated).', 'model_not_allowed'],
  404: ['The model does not exist (simulated).', 'model_not_found'],
  429: ['Rate limit reached for requests (simulated).', 'rate_limit_exceeded'],
  500: ['The server had an error while processing your request (simulated).', null],
  503: ['The engine is currently overloaded (simulated).', 'overloaded'],
}

function hangUntilClientLeaves(state: SimState, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(release, MAX_HANG_MS)
    ;(timer as { unref?: () => void }).unref?.()
    function release() {
      clearTimeout(timer)
      signal.removeEventListener('abort', release)
      state.hangs.delete(release)
      resolve()
    }
    state.hangs.add(release)
    signal.addEventListener('abort', release, { once: true })
  })
}
