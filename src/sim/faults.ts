/**
 * Scriptable faults: the scenario schema set through `PUT /_sim/scenario` and the pure decision
 * of what happens to one upstream request.
 *
 * Reproducibility: a request's random draw is `mulberry32(hash(seed|model|key|attempt))`, where
 * `key` is its `x-batchrouter-item-id` (or `(anonymous)`) and `attempt` counts the requests seen
 * with that key since the scenario was last set. So a given seed fails the same items on the same
 * attempts whatever order concurrent requests arrive in.
 */
import { Type as T, type Static } from '@sinclair/typebox'
import { hash32, mulberry32 } from './deterministic'

const Rate = (description: string) => T.Optional(T.Number({ minimum: 0, maximum: 1, description }))

/** How the simulator misbehaves, globally or for one model. Every field is optional. */
export const Behaviour = T.Object(
  {
    latency_ms: T.Optional(T.Integer({ minimum: 0, maximum: 600_000, description: 'Delay before every answer.' })),
    fail_rate: Rate('Share of requests answered with fail_status.'),
    fail_status: T.Optional(T.Integer({ minimum: 400, maximum: 599, description: 'Status of simulated failures (default 500).' })),
    retry_after_s: T.Optional(T.Number({ minimum: 0, maximum: 86_400, description: 'Retry-After sent with 429/503 failures.' })),
    timeout_rate: Rate('Share of requests that hang without answering until the client gives up.'),
    malformed_rate: Rate('Share of requests answered 200 with a body that is not the wire shape.'),
    seed: T.Optional(T.Integer({ description: 'Seed of the fault draws (default 1).' })),
    fail_first_n: T.Optional(T.Integer({ minimum: 0, description: 'Fail the first N requests of every item id (x-batchrouter-item-id).' })),
    turnaround_s: T.Optional(T.Number({ minimum: 0, description: 'Batch dialects: time until a batch completes.' })),
    expire: T.Optional(T.Boolean({ description: 'Batch dialects: let batches expire instead of completing.' })),
    partial_fail_rate: Rate('Batch dialects: share of items that fail inside a completed batch.'),
    lose_batches: T.Optional(T.Boolean({ description: 'Batch dialects: batches created while set are forgotten after lose_after_polls retrieves; then every call on them answers 404.' })),
    lose_after_polls: T.Optional(T.Integer({ minimum: 0, description: 'With lose_batches: retrieves answered before the batch is forgotten (default 0: forgotten right after the create answer).' })),
    fail_batch: T.Optional(T.Boolean({ description: 'Batch dialects: batches created while set fail — OpenAI: status failed with errors once validated; Anthropic: ended with every request errored (api_error).' })),
    malformed_results_rate: Rate('Batch dialects: share of result-file lines (OpenAI output and error files, Anthropic results) that are not valid JSON or not the wire shape.'),
  },
  { additionalProperties: false },
)
export type Behaviour = Static<typeof Behaviour>

/** The body of `PUT /_sim/scenario`: a global behaviour and per-model overrides (field by field). */
export const Scenario = T.Object(
  {
    global: T.Optional(Behaviour),
    models: T.Optional(T.Record(T.String(), Behaviour)),
  },
  { additionalProperties: false },
)
export type Scenario = Static<typeof Scenario>

/** The behaviour in force for `model`: global fields overridden by the model's own. */
export function behaviourFor(scenario: Scenario, model: string | undefined): Behaviour {
  const own = model !== undefined ? scenario.models?.[model] : undefined
  return { ...scenario.global, ...own }
}

/** What the simulator does with one request, before looking at its body. */
export type FaultDecision =
  | { kind: 'answer' } // serve the request normally
  | { kind: 'fail'; status: number; retryAfterS?: number } // an error envelope with `status`
  | { kind: 'timeout' } // hang until the client gives up
  | { kind: 'malformed'; variant: 'truncated_json' | 'wrong_shape' } // 200 with a broken body

/** The request's place in the fault stream. */
export interface FaultKey {
  model: string | undefined
  /** Item id from the request header, or `(anonymous)`. */
  key: string
  /** 1-based count of requests seen with `key` since the scenario was set. */
  attempt: number
}

/**
 * Decides the fault for one request: `fail_first_n` first, then one seeded draw split into
 * [timeout_rate | fail_rate | malformed_rate | answer].
 */
export function decideFault(b: Behaviour, k: FaultKey): FaultDecision {
  const fail = (): FaultDecision => ({ kind: 'fail', status: b.fail_status ?? 500, retryAfterS: b.retry_after_s })
  if (b.fail_first_n !== undefined && k.attempt <= b.fail_first_n) return fail()
  const timeoutRate = b.timeout_rate ?? 0
  const failRate = b.fail_rate ?? 0
  const malformedRate = b.malformed_rate ?? 0
  if (timeoutRate + failRate + malformedRate <= 0) return { kind: 'answer' }
  const random = mulberry32(hash32(`${b.seed ?? 1}|${k.model ?? ''}|${k.key}|${k.attempt}`))
  const u = random()
  if (u < timeoutRate) return { kind: 'timeout' }
  if (u < timeoutRate + failRate) return fail()
  if (u < timeoutRate + failRate + malformedRate) return { kind: 'malformed', variant: random() < 0.5 ? 'truncated_json' : 'wrong_shape' }
  return { kind: 'answer' }
}
