/**
 * Running one line of a simulated batch: the same fault script as a synchronous request keyed by
 * the line's custom id (`fail_rate`, `fail_first_n`, `timeout_rate`, `malformed_rate`, `seed`),
 * plus `partial_fail_rate`, then the dialect's deterministic answer. Lines are counted in
 * `by_model` and `by_custom_id` as they run, so a test can prove nothing ran twice.
 */
import { anthropicErrorTypeFor } from './respond'
import { buildAnthropicMessage, parseAnthropicParams } from './anthropic-messages'
import type { LineResult, SimBatch, SimBatchLine } from './batch-store'
import { hash32, hashHex, mulberry32 } from './deterministic'
import { behaviourFor, decideFault } from './faults'
import { buildChatCompletion, parseChatRequest } from './openai-chat'
import { buildEmbeddingList, parseEmbeddingRequest } from './openai-embeddings'
import { simulatedFailure } from './pipeline'
import { recordLineRun, type SimState } from './state'

/** What the scenario does to one line. */
export type LineFault = { kind: 'answer' } | { kind: 'fail'; status: number } | { kind: 'timeout' } | { kind: 'malformed' } | { kind: 'partial_fail' }

/** Counts the line and draws its fault (seeded by model, custom id and attempt). */
export function lineFault(state: SimState, model: string | undefined, customId: string): LineFault {
  const attempt = recordLineRun(state, { model, customId })
  const b = behaviourFor(state.scenario, model)
  const d = decideFault(b, { model, key: customId, attempt })
  if (d.kind === 'fail') return { kind: 'fail', status: d.status }
  if (d.kind === 'timeout' || d.kind === 'malformed') return { kind: d.kind }
  const rate = b.partial_fail_rate ?? 0
  if (rate > 0 && mulberry32(hash32(`${b.seed ?? 1}|partial|${model ?? ''}|${customId}|${attempt}`))() < rate) return { kind: 'partial_fail' }
  return { kind: 'answer' }
}

const PARTIAL_FAILURE = { message: 'The server had an error while processing your request (simulated partial failure).', type: 'server_error', param: null, code: null }

/** Runs an OpenAI batch line of `batch` (endpoint chat or embeddings); `wire` is `{response, error}`. */
export async function runOpenAiLine(state: SimState, batch: SimBatch, line: SimBatchLine, now: number): Promise<LineResult> {
  const fault = lineFault(state, batch.model, line.customId)
  const requestId = `req_${hashHex(`${batch.id}|${line.customId}`)}${(++state.sequence).toString(16).padStart(8, '0')}`
  const respond = (status: number, body: unknown): LineResult => ({ ran: true, ok: status >= 200 && status < 300, wire: { response: { status_code: status, request_id: requestId, body }, error: null } })
  switch (fault.kind) {
    case 'fail':
      return respond(fault.status, await simulatedFailure(fault.status).json())
    case 'timeout':
      return { ran: true, ok: false, wire: { response: null, error: { code: 'request_timeout', message: 'The request timed out (simulated).' } } }
    case 'malformed':
      return respond(200, { object: 'sim.malformed', detail: 'simulated malformed response' })
    case 'partial_fail':
      return respond(500, { error: PARTIAL_FAILURE })
  }
  if (batch.openai?.endpoint === '/v1/embeddings') {
    const parsed = parseEmbeddingRequest(line.body)
    return parsed.ok ? respond(200, buildEmbeddingList(parsed.value)) : respond(400, await parsed.response.json())
  }
  const parsed = parseChatRequest(line.body)
  return parsed.ok ? respond(200, buildChatCompletion(parsed.value, state.sequence, now)) : respond(400, await parsed.response.json())
}

/** Runs an Anthropic batch request; `wire` is `{result}` (succeeded or errored). */
export function runAnthropicLine(state: SimState, batch: SimBatch, line: SimBatchLine): LineResult {
  const fault = lineFault(state, batch.model, line.customId)
  const errored = (type: string, message: string): LineResult => ({ ran: true, ok: false, wire: { result: { type: 'errored', error: { type: 'error', error: { type, message }, request_id: null } } } })
  const succeeded = (message: unknown): LineResult => ({ ran: true, ok: true, wire: { result: { type: 'succeeded', message } } })
  switch (fault.kind) {
    case 'fail':
      return errored(anthropicErrorTypeFor(fault.status), `Simulated failure (HTTP ${fault.status}).`)
    case 'timeout':
      return errored('timeout_error', 'The request timed out (simulated).')
    case 'malformed':
      return succeeded({ type: 'sim.malformed', detail: 'simulated malformed response' })
    case 'partial_fail':
      return errored('api_error', PARTIAL_FAILURE.message)
  }
  const parsed = parseAnthropicParams(line.body)
  return parsed.ok ? succeeded(buildAnthropicMessage(parsed.value, ++state.sequence)) : errored('invalid_request_error', parsed.message)
}
