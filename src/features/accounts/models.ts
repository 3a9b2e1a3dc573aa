/** TypeBox models of the account routes (contract §1). */
import { t } from 'elysia'
import { BalanceFields, MoneyString } from '../credits'

const ORG_ID_EXAMPLE = 'org_3kQ9xLw2mPz7Rt5vBn8cYh1d'
const KEY_ID_EXAMPLE = 'key_7Hc2kPq9Lw3mXv8rTz1bYd0e'

/** An org or agent display name. */
export const OrgName = (description: string, example: string) => t.String({ minLength: 1, maxLength: 200, description, examples: [example] })
export const Email = t.String({ format: 'email', maxLength: 320, description: 'Contact address.', examples: ['ops@example.com'] })

export const AgentRegisterBody = t.Object(
  {
    name: t.Optional(OrgName('Org name; defaults to agent_name, then "Unnamed org".', 'Acme research')),
    agent_name: t.Optional(OrgName('Name of the agent or tool registering.', 'acme-eval-bot')),
    email: t.Optional(Email),
  },
  { examples: [{ name: 'Acme research', agent_name: 'acme-eval-bot', email: 'ops@example.com' }] },
)

export const AgentRegisterResponse = t.Object(
  {
    org_id: t.String(),
    api_key: t.String({ description: 'The secret: shown only in this response.' }),
    api_key_id: t.String(),
    name: t.String(),
    credit_balance: MoneyString('Starting credit (the operator\'s configured amount).', '0.000000'),
    currency: t.Literal('usd'),
  },
  { examples: [{ org_id: ORG_ID_EXAMPLE, api_key: 'br_live_4nQ8…', api_key_id: KEY_ID_EXAMPLE, name: 'Acme research', credit_balance: '0.000000', currency: 'usd' }] },
)

export const DeliveryWebhookObject = t.Object(
  {
    url: t.Union([t.String(), t.Null()], { description: 'Where batch events are POSTed; null = none.' }),
    configured: t.Boolean(),
    progress_events: t.Boolean({ description: 'Whether batch.progress events are sent too (opt-in).' }),
  },
  { examples: [{ url: 'https://example.com/hooks/batchrouter', configured: true, progress_events: false }] },
)

export const AccountObject = t.Object(
  {
    org_id: t.String(),
    name: t.String(),
    ...BalanceFields,
    created_at: t.String({ description: 'ISO-8601 time the org was created.' }),
    delivery_webhook: t.Union([DeliveryWebhookObject, t.Null()], { description: 'The org default webhook, or null.' }),
    api_key: t.Object({ id: t.String(), name: t.String(), start: t.String() }, { description: 'The key that made this request.' }),
  },
  {
    examples: [
      { org_id: ORG_ID_EXAMPLE, name: 'Acme research', credit_balance: '24.500000', reserved_balance: '0.500000', currency: 'usd', created_at: '2026-01-01T00:00:00.000Z', delivery_webhook: null, api_key: { id: KEY_ID_EXAMPLE, name: 'default', start: 'br_live_4nQ8' } },
    ],
  },
)

export const SetDeliveryWebhookBody = t.Object(
  {
    url: t.String({ minLength: 1, maxLength: 2048, description: 'An https:// URL on a public host.', examples: ['https://example.com/hooks/batchrouter'] }),
    secret: t.String({ minLength: 8, maxLength: 256, description: 'Signs every delivery (HMAC-SHA256); never returned. `whsec_`+base64 is used as bytes.', examples: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'] }),
    progress_events: t.Optional(t.Boolean({ description: "Also send batch.progress events (at most one per batch every 30 s). Default false. The OpenAI SDKs do not know this event type (Python's webhooks.unwrap returns it as a BatchCancelledWebhookEvent whose type is still 'batch.progress'): branch on `type`." })),
  },
  { examples: [{ url: 'https://example.com/hooks/batchrouter', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }] },
)
