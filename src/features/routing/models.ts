/** TypeBox schemas of the routing fields shared by quote and batch requests. */
import { t } from 'elysia'


const Usd = t.String({ pattern: '^\\d{1,9}(\\.\\d{1,6})?$', description: 'USD with at most 6 decimals', examples: ['5.00'] })

export const RoutingFields = {
  // Literal lists mirror vocabulary.ts (ROUTING_MODES, SLA_TIERS, PRIVACY_TIERS); a test keeps them equal.
  routing_mode: t.Optional(t.Union([t.Literal('cheapest'), t.Literal('sla_aware'), t.Literal('public_only'), t.Literal('edge_only'), t.Literal('hybrid'), t.Literal('privacy_constrained')], { description: 'How lanes are chosen; default cheapest.' })),
  sla_tier: t.Optional(t.Union([t.Literal('standard'), t.Literal('flex'), t.Literal('priority')], { description: 'standard 24 h (default), flex 48 h, priority 1 h.' })),
  privacy_tier: t.Optional(t.Union([t.Literal('standard'), t.Literal('confidential'), t.Literal('restricted')], { description: 'standard (default), confidential, restricted.' })),
  allowed_regions: t.Optional(t.Array(t.String({ minLength: 1 }), { maxItems: 20 })),
  provider_preferences: t.Optional(
    t.Object(
      {
        only: t.Optional(t.Array(t.String(), { maxItems: 50 })),
        order: t.Optional(t.Array(t.String(), { maxItems: 50 })),
        allow_fallbacks: t.Optional(t.Boolean()),
        zdr: t.Optional(t.Boolean()),
      },
      { additionalProperties: false },
    ),
  ),
  max_price: t.Optional(t.Union([Usd, t.Object({ currency: t.Optional(t.Literal('usd')), amount: Usd })], { description: 'Most the whole request may cost; lanes above it are rejected (price_above_max) and a larger total is refused.' })),
  models: t.Optional(
    t.Array(t.String({ minLength: 1 }), {
      maxItems: 20,
      description: 'Acceptable models in order. Items whose own model is listed may run on any listed model that does their operation; the cheapest eligible is chosen (list order breaks ties). Items whose model is not listed keep it.',
      examples: [['gpt-4o-mini', 'claude-3-5-haiku', 'llama-3.1-8b-instruct']],
    }),
  ),
}
