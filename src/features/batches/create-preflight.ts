/**
 * Request-level checks of POST /v1/batches that come before reading items: the shape, the
 * OpenAI endpoint, routing hints in metadata, metadata size, the webhook URL and the quote.
 */
import type { Deps } from '../../deps'
import { AppError } from '../../lib/errors'
import { canonicalJson } from '../../lib/crypto'
import { webhookUrlProblem } from '../accounts/index'
import type { PreflightProblem } from '../items/index'
import { differingParams, requireLiveQuote, routingParams, type QuoteRow } from '../quotes/index'
import { policyFromRequest, PRIVACY_TIERS, ROUTING_MODES, SLA_TIERS, type RoutingRequestFields, type LockedRates } from '../routing/index'
import type { CreateBatchBody } from './models'

export const OPENAI_ENDPOINTS = ['/v1/chat/completions', '/v1/embeddings', '/v1/responses'] as const
const METADATA_MAX_BYTES = 16 * 1024

export interface CreatePlanInput {
  shape: 'native' | 'openai'
  endpoint?: string
  routing: RoutingRequestFields
  policy: ReturnType<typeof policyFromRequest>
  quote: (QuoteRow & { lockedRates: LockedRates }) | null
  problems: PreflightProblem[]
}

/** Collects request-level problems (returned for the one preflight error) and loads the quote. */
export function preflightRequest(deps: Deps, orgId: string, body: CreateBatchBody): CreatePlanInput {
  const shape = body.endpoint !== undefined || body.completion_window !== undefined ? 'openai' : 'native'
  const problems: PreflightProblem[] = []
  const problem = (code: string, param: string, message: string) => problems.push({ line: null, item: null, code, param, message })
  if (shape === 'openai') {
    if (!body.endpoint || !(OPENAI_ENDPOINTS as readonly string[]).includes(body.endpoint)) problem('endpoint_unsupported', 'endpoint', `endpoint must be one of ${OPENAI_ENDPOINTS.join(', ')}.`)
    if (body.completion_window !== '24h') problem('invalid_completion_window', 'completion_window', 'completion_window must be "24h".')
  }
  // TypeBox's record check lets an array through; metadata is a map of keys to values.
  if (Array.isArray(body.metadata)) problem('invalid_metadata', 'metadata', 'metadata must be a JSON object of keys and values (such as {"project": "x"}), not an array.')
  else if (body.metadata && Buffer.byteLength(canonicalJson(body.metadata)) > METADATA_MAX_BYTES) problem('metadata_too_large', 'metadata', 'metadata must be at most 16 KB of JSON.')
  const routing = routingFields(body, shape, problem)
  if (body.webhook) {
    // The static half of the SSRF rules; delivery re-checks the DNS answers (lib/safe-fetch).
    const unsafe = webhookUrlProblem(body.webhook.url, deps.config.webhooks)
    if (unsafe) problem('unsafe_webhook_url', 'webhook.url', unsafe.message)
  }
  const policy = policyFromRequest(deps.config, routing, deps.catalog())
  const quoteId = body.quote_id ?? (shape === 'openai' ? stringMeta(body.metadata, 'br.quote_id') : undefined)
  let quote: CreatePlanInput['quote'] = null
  if (quoteId) {
    try {
      quote = requireLiveQuote(deps, orgId, quoteId)
    } catch (err) {
      if (err instanceof AppError && err.code === 'preflight_failed') problem('unknown_quote', 'quote_id', `Unknown quote '${quoteId}'; request one with POST /v1/quotes/model.`)
      else throw err
    }
    if (quote) {
      const differ = differingParams(routingParams(policy).params, quote.params as Record<string, unknown>)
      if (differ.length > 0) throw new AppError('quote_mismatch', { message: `These parameters differ from quote ${quoteId}: ${differ.join(', ')}. Send the quote's parameters or request a new quote.`, param: differ[0], details: { differing: differ } })
    }
  }
  return { shape, endpoint: body.endpoint, routing, policy, quote, problems }
}

function routingFields(body: CreateBatchBody, shape: 'native' | 'openai', problem: (c: string, p: string, m: string) => void): RoutingRequestFields {
  if (shape === 'native') return body
  const pick = <T extends readonly string[]>(key: string, allowed: T): T[number] | undefined => {
    const value = stringMeta(body.metadata, key)
    if (value === undefined) return undefined
    if (!(allowed as readonly string[]).includes(value)) {
      problem('invalid_metadata', `metadata.${key}`, `metadata["${key}"] must be one of ${allowed.join(', ')}.`)
      return undefined
    }
    return value as T[number]
  }
  return { ...body, routing_mode: pick('br.routing_mode', ROUTING_MODES) ?? body.routing_mode, sla_tier: pick('br.sla_tier', SLA_TIERS) ?? body.sla_tier, privacy_tier: pick('br.privacy_tier', PRIVACY_TIERS) ?? body.privacy_tier }
}

function stringMeta(metadata: CreateBatchBody['metadata'], key: string): string | undefined {
  const value = metadata?.[key]
  return typeof value === 'string' ? value : undefined
}
