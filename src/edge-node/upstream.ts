/**
 * The private model server, through the shared openai-compatible adapter (the router's own
 * request runner uses the same one): discovery of its models, a health probe, and one call per
 * leased item. Its health is what the node reports: `down` when the probe fails, `degraded` when
 * most recent calls failed, else `ok`.
 */
import { createOpenAiCompatibleAdapter } from '../providers/openai-compatible/index'
import type { ItemOutcome, ProviderEndpoint } from '../providers/types'

/** An offering as the node declares it at join (contract §11). */
export interface DeclaredOffering {
  model: string
  served_model: string
  operations: Array<'responses' | 'embeddings'>
}

/** A leased item as the router sends it. */
export interface LeasedItem {
  item_id: string
  attempt: number
  operation: 'responses' | 'embeddings' | 'vision'
  model: string
  served_model: string
  request: Record<string, unknown>
}

const RECENT = 20

export class Upstream {
  private readonly adapter = createOpenAiCompatibleAdapter()
  private readonly endpoint: ProviderEndpoint
  private readonly recent: boolean[] = []

  constructor(private readonly baseUrl: string, apiKey?: string) {
    this.endpoint = { providerId: 'upstream', baseUrl, ...(apiKey ? { apiKey } : {}) }
  }

  private headers(): Record<string, string> {
    return this.endpoint.apiKey ? { authorization: `Bearer ${this.endpoint.apiKey}` } : {}
  }

  /** The model ids the server lists at /v1/models (embedding models by name), or throws. */
  async discover(): Promise<DeclaredOffering[]> {
    const res = await fetch(`${this.baseUrl}/models`, { headers: this.headers(), signal: AbortSignal.timeout(10_000) })
    if (!res.ok) throw new Error(`upstream ${this.baseUrl}/models answered HTTP ${res.status}`)
    const body = (await res.json()) as { data?: Array<{ id?: unknown }> }
    const ids = (body.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === 'string' && id.length > 0)
    return ids.map((id) => ({ model: id, served_model: id, operations: /embed/i.test(id) ? ['embeddings'] : ['responses'] }))
  }

  /** `down` when /v1/models does not answer 200, `degraded` when most of the last calls failed, else `ok`. */
  async health(): Promise<{ upstream: 'ok' | 'degraded' | 'down'; detail?: string }> {
    try {
      const res = await fetch(`${this.baseUrl}/models`, { headers: this.headers(), signal: AbortSignal.timeout(5_000) })
      await res.arrayBuffer()
      if (!res.ok) return { upstream: 'down', detail: `GET /models answered HTTP ${res.status}` }
    } catch (err) {
      return { upstream: 'down', detail: `GET /models failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 400) }
    }
    const failed = this.recent.filter((ok) => !ok).length
    return this.recent.length >= RECENT / 2 && failed * 2 > this.recent.length ? { upstream: 'degraded', detail: `${failed} of the last ${this.recent.length} calls failed` } : { upstream: 'ok' }
  }

  /** Calls the upstream for one leased item (never throws). */
  async call(item: LeasedItem, signal?: AbortSignal): Promise<ItemOutcome> {
    const { model: _model, ...body } = item.request
    const url = item.operation === 'embeddings' ? '/v1/embeddings' : '/v1/chat/completions'
    const outcome = await this.adapter.call(this.endpoint, { itemId: item.item_id, operation: item.operation, url, model: item.served_model, body }, signal)
    this.recent.push(outcome.ok || outcome.error.kind === 'invalid_request')
    if (this.recent.length > RECENT) this.recent.shift()
    return outcome
  }
}
