/** TypeBox models of the fleet routes (contract §11): operator routes under /v1/admin/fleet, node routes under /v1/fleet. */
import { t } from 'elysia'

const NODE_ID = 'node_3kQ9xLw2mPz7Rt5vBn8cYh1d'
const TOKEN_ID = 'jtok_7Hc2kPq9Lw3mXv8rTz1bYd0e'
const AT = '2026-01-01T00:00:00.000Z'
const Iso = (description: string) => t.String({ description, examples: [AT] })
const Region = t.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$', description: 'A region name, e.g. eu-west-1.' })
const TrustTier = t.Union([t.Literal('standard'), t.Literal('restricted')], { description: '`restricted` nodes may run restricted work; `standard` nodes never do.' })
const Usd = t.String({ pattern: '^\\d{1,6}(\\.\\d{1,6})?$', description: 'USD per 1M tokens.' })

export const CreateJoinTokenBody = t.Object(
  {
    trust_tier: TrustTier,
    regions: t.Array(Region, { minItems: 1, maxItems: 32, description: 'Regions the node is enrolled in; its edge lanes run there.' }),
    ttl_seconds: t.Optional(t.Integer({ minimum: 60, maximum: 604_800, default: 3600, description: 'Life of the join token.' })),
    max_uses: t.Optional(t.Integer({ minimum: 1, maximum: 10_000, default: 1, description: 'Nodes that may join with it.' })),
    name: t.Optional(t.String({ maxLength: 200 })),
  },
  { examples: [{ trust_tier: 'restricted', regions: ['eu-west-1'], ttl_seconds: 3600 }] },
)

const JoinTokenFields = {
  token_id: t.String(),
  name: t.Union([t.String(), t.Null()]),
  trust_tier: TrustTier,
  regions: t.Array(t.String()),
  expires_at: Iso('When the token stops working.'),
  max_uses: t.Integer(),
  uses: t.Integer(),
  revoked_at: t.Union([t.String(), t.Null()]),
  created_at: Iso('When it was minted.'),
}
const tokenExample = { token_id: TOKEN_ID, name: null, trust_tier: 'restricted', regions: ['eu-west-1'], expires_at: AT, max_uses: 1, uses: 0, revoked_at: null, created_at: AT }

export const CreatedJoinToken = t.Object({ join_token: t.String({ description: 'Shown once.' }), ...JoinTokenFields }, { examples: [{ join_token: 'eyJhbGciOiJFUzI1NiJ9…', ...tokenExample }] })
export const JoinTokenObject = t.Object(JoinTokenFields, { examples: [tokenExample] })
export const JoinTokenList = t.Object({ object: t.Literal('list'), data: t.Array(JoinTokenObject) }, { examples: [{ object: 'list', data: [tokenExample] }] })
export const TokenParams = t.Object({ token_id: t.String({ maxLength: 100 }) })
export const NodeParams = t.Object({ id: t.String({ maxLength: 100 }) })

export const NodeOfferingBody = t.Object({
  model: t.String({ minLength: 1, maxLength: 200, description: 'Catalog slug (or the name the node knows it by).' }),
  served_model: t.Optional(t.String({ minLength: 1, maxLength: 200, description: 'Name to send upstream, when it differs.' })),
  operations: t.Array(t.Union([t.Literal('responses'), t.Literal('embeddings'), t.Literal('vision')]), { minItems: 1, maxItems: 3 }),
  context_window: t.Optional(t.Integer({ minimum: 1 })),
  max_output_tokens: t.Optional(t.Integer({ minimum: 0 })),
  concurrency: t.Optional(t.Integer({ minimum: 1, maximum: 10_000 })),
  pricing: t.Optional(t.Object({ input_per_1m: Usd, output_per_1m: Usd })),
})
const Capacity = t.Object({ concurrent_items: t.Integer({ minimum: 1, maximum: 10_000 }) })
const offeringExample = { model: 'llama-3.1-8b-instruct', served_model: 'llama3.1:8b', operations: ['responses'], concurrency: 4 }

export const JoinBody = t.Object(
  {
    join_token: t.String({ minLength: 1, maxLength: 4096 }),
    node: t.Object({
      name: t.String({ minLength: 1, maxLength: 200 }),
      version: t.String({ minLength: 1, maxLength: 100 }),
      regions: t.Optional(t.Array(Region, { maxItems: 32, description: "Regions the node claims; each must be one of the token's (else 400). The token's regions are what count." })),
      offerings: t.Array(NodeOfferingBody, { minItems: 1, maxItems: 200 }),
      capacity: Capacity,
    }),
  },
  { examples: [{ join_token: 'eyJhbGciOiJFUzI1NiJ9…', node: { name: 'gpu-box-1', version: '0.1.0', offerings: [offeringExample], capacity: { concurrent_items: 4 } } }] },
)

export const JoinResponse = t.Object(
  { node_id: t.String(), node_token: t.String(), token_expires_at: Iso('When the node token expires (heartbeats rotate it before).'), heartbeat_interval_seconds: t.Integer(), lease_seconds: t.Integer(), router_version: t.String() },
  { examples: [{ node_id: NODE_ID, node_token: 'eyJhbGciOiJFUzI1NiJ9…', token_expires_at: AT, heartbeat_interval_seconds: 15, lease_seconds: 120, router_version: '0.1.0' }] },
)

export const HeartbeatBody = t.Object(
  {
    offerings: t.Optional(t.Array(NodeOfferingBody, { minItems: 1, maxItems: 200 })),
    capacity: t.Optional(Capacity),
    in_flight: t.Integer({ minimum: 0 }),
    health: t.Object({ upstream: t.Union([t.Literal('ok'), t.Literal('degraded'), t.Literal('down')]), detail: t.Optional(t.String({ maxLength: 500 })) }),
  },
  { examples: [{ in_flight: 2, health: { upstream: 'ok' } }] },
)
const NodeStatus = t.Union([t.Literal('online'), t.Literal('offline'), t.Literal('draining'), t.Literal('revoked')])
export const HeartbeatResponse = t.Object(
  { status: NodeStatus, drain: t.Boolean(), node_token: t.Optional(t.String()), token_expires_at: t.Optional(t.String()) },
  { examples: [{ status: 'online', drain: false }] },
)

export const LeaseBody = t.Object(
  { max_items: t.Integer({ minimum: 1, maximum: 500 }), wait_seconds: t.Optional(t.Number({ minimum: 0, maximum: 30, description: 'Long poll: wait up to this long for work.' })) },
  { examples: [{ max_items: 100, wait_seconds: 20 }] },
)
const LeasedItem = t.Object({ item_id: t.String(), attempt: t.Integer(), operation: t.String(), model: t.String(), served_model: t.String(), request: t.Record(t.String(), t.Unknown()) })
export const LeaseResponse = t.Object(
  { lease_id: t.Union([t.String(), t.Null()]), lease_until: t.Union([t.String(), t.Null()]), items: t.Array(LeasedItem) },
  { examples: [{ lease_id: 'lease_9Xk2…', lease_until: AT, items: [{ item_id: 'item_4Rt…', attempt: 1, operation: 'responses', model: 'llama-3.1-8b-instruct', served_model: 'llama3.1:8b', request: { model: 'llama3.1:8b', messages: [{ role: 'user', content: 'Hi' }] } }] }] },
)
export const LeaseParams = t.Object({ lease_id: t.String({ maxLength: 100 }) })
export const ExtendBody = t.Object({ seconds: t.Optional(t.Integer({ minimum: 1, maximum: 3600 })) }, { examples: [{ seconds: 120 }] })
export const ExtendResponse = t.Object({ lease_until: t.String() }, { examples: [{ lease_until: AT }] })

export const ResultsBody = t.Object(
  {
    results: t.Array(
      t.Object({
        item_id: t.String({ maxLength: 100 }),
        attempt: t.Integer({ minimum: 1 }),
        status: t.Union([t.Literal('completed'), t.Literal('failed')]),
        response: t.Optional(t.Record(t.String(), t.Unknown())),
        usage: t.Optional(t.Object({ input_tokens: t.Integer({ minimum: 0 }), output_tokens: t.Integer({ minimum: 0 }) })),
        error: t.Optional(t.Object({ code: t.String({ maxLength: 100 }), message: t.String({ maxLength: 2000 }), retryable: t.Optional(t.Boolean()) })),
        latency_ms: t.Optional(t.Number({ minimum: 0 })),
      }),
      { minItems: 1, maxItems: 500 },
    ),
  },
  { examples: [{ results: [{ item_id: 'item_4Rt…', attempt: 1, status: 'failed', error: { code: 'server_error', message: 'upstream 503', retryable: true } }] }] },
)
export const ResultsResponse = t.Object(
  { accepted: t.Integer(), ignored: t.Array(t.Object({ item_id: t.String(), reason: t.String() })) },
  { examples: [{ accepted: 1, ignored: [{ item_id: 'item_9Zz…', reason: 'not_leased_to_this_node' }] }] },
)

const NodeFields = {
  node_id: t.String(),
  name: t.String(),
  trust_tier: TrustTier,
  regions: t.Array(t.String()),
  status: NodeStatus,
  version: t.String(),
  offerings: t.Array(t.Record(t.String(), t.Unknown())),
  capacity: Capacity,
  in_flight: t.Integer(),
  upstream_health: t.String(),
  last_heartbeat_at: t.String(),
  joined_at: t.String(),
  completed_items: t.Integer(),
  failed_items: t.Integer(),
}
const nodeExample = { node_id: NODE_ID, name: 'gpu-box-1', trust_tier: 'restricted', regions: ['eu-west-1'], status: 'online', version: '0.1.0', offerings: [offeringExample], capacity: { concurrent_items: 4 }, in_flight: 0, upstream_health: 'ok', last_heartbeat_at: AT, joined_at: AT, completed_items: 0, failed_items: 0 }
export const NodeObject = t.Object(NodeFields, { examples: [nodeExample] })
export const NodeList = t.Object({ object: t.Literal('list'), data: t.Array(NodeObject) }, { examples: [{ object: 'list', data: [nodeExample] }] })
export const NodeDetail = t.Object(
  { ...NodeFields, active_leases: t.Array(t.Object({ lease_id: t.String(), lease_until: t.String(), items: t.Integer() })) },
  { examples: [{ ...nodeExample, active_leases: [{ lease_id: 'lease_9Xk2…', lease_until: AT, items: 4 }] }] },
)
