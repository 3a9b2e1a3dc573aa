/**
 * Running one line of a simulated batch: the same fault script as a synchronous request keyed by
 * the line's custom id (`fail_rate`, `fail_first_n`, `timeout_rate`, `malformed_rate`, `seed`),
 * plus `partial_fail_rate`, then the dialect's deterministic answer. Lines are counted in
 * `by_model` and `by_custom_id` as they run, so a test can prove nothing ran twice. A line runs
 * once: its result is stored with the batch and served as stored, also after a restart.
 */
import { anthropicErrorTypeFor } from './respond'
import { buildAnthropicMessage, parseAnthropicParams } from './anthropic-messages'
import { ANTHROPIC_BATCH_FAILURE, malformedVariant } from './batch-faults'
import type { LineResult, SimBatch, SimBatchLine } from './batch-store'
import { hash32, hashHex, mulberry32 } from './deterministic'
import { behaviourFor, decideFault } from './faults'
import { buildChatCompletion, parseChatRequest } from './openai-chat'
import { buildEmbeddingList, parseEmbeddingRequest } from './openai-embeddings'
import { simulatedFailure } from './pipeline'
import { nextSequence, recordLineRun, type SimState } from './state'

/** What the scenario does to one line. */
export type LineFault = { kind: 'answer' } | { kind: 'fail'; status: number } | { kind: 'timeout' } | { kind: 'malformed' } | { kind: 'partial_fail' }

/** Counts the line and draws its fault (seeded by model, custom id and attempt); `attempt` is the line's run number. */
export function lineFault(state: SimState, model: string | undefined, customId: string): LineFault & { attempt: number } {
  const attempt = recordLineRun(state, { model, customId })
  const b = behaviourFor(state.scenario, model)
  const d = decideFault(b, { model, key: customId, attempt })
  if (d.kind === 'fail') return { kind: 'fail', status: d.status, attempt }
  if (d.kind === 'timeout' || d.kind === 'malformed') return { kind: d.kind, attempt }
  const rate = b.partial_fail_rate ?? 0
  if (rate > 0 && mulberry32(hash32(`${b.seed ?? 1}|partial|${model ?? ''}|${customId}|${attempt}`))() < rate) return { kind: 'partial_fail', attempt }
  return { kind: 'answer', attempt }
}

/**
 * Marks a line's result to be served malformed, drawn per custom id and attempt from the batch's
 * `malformed_results_rate` — so the same item sent again in a new batch is drawn afresh.
 */
function withMalformed(batch: SimBatch, line: SimBatchLine, attempt: number, result: LineResult): LineResult {
  const variant = malformedVariant(batch.faults, line.customId, attempt)
  return variant && result.ran ? { ...result, malformed: variant } : result
}

const PARTIAL_FAILURE = { message: 'The server had an error while processing your request (simulated partial failure).', type: 'server_error', param: null, code: null }

/** Runs an OpenAI batch line of `batch` (endpoint chat or embeddings); `wire` is `{response, error}`. */
export async function runOpenAiLine(state: SimState, batch: SimBatch, line: SimBatchLine, now: number): Promise<LineResult> {
  const fault = lineFault(state, batch.model, line.customId)
  return withMalformed(batch, line, fault.attempt, await answerOpenAiLine(state, batch, line, now, fault))
}

async function answerOpenAiLine(state: SimState, batch: SimBatch, line: SimBatchLine, now: number, fault: LineFault): Promise<LineResult> {
  const sequence = nextSequence(state)
  const requestId = `req_${hashHex(`${batch.id}|${line.customId}`)}${sequence.toString(16).padStart(8, '0')}`
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
  return parsed.ok ? respond(200, buildChatCompletion(parsed.value, sequence, now)) : respond(400, await parsed.response.json())
}

/** Runs an Anthropic batch request; `wire` is `{result}` (succeeded or errored; every request errored under `fail_batch`). */
export function runAnthropicLine(state: SimState, batch: SimBatch, line: SimBatchLine): LineResult {
  const fault = lineFault(state, batch.model, line.customId)
  return withMalformed(batch, line, fault.attempt, answerAnthropicLine(state, batch, line, fault))
}

function answerAnthropicLine(state: SimState, batch: SimBatch, line: SimBatchLine, fault: LineFault): LineResult {
  const errored = (type: string, message: string): LineResult => ({ ran: true, ok: false, wire: { result: { type: 'errored', error: { type: 'error', error: { type, message }, request_id: null } } } })
  if (batch.faults.failBatch) return errored('api_error', ANTHROPIC_BATCH_FAILURE)
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
  return parsed.ok ? succeeded(buildAnthropicMessage(parsed.value, nextSequence(state))) : errored('invalid_request_error', parsed.message)
}
