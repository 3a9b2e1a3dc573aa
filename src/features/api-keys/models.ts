/** TypeBox models of the customer key routes (contract §1). */
import { t } from 'elysia'

const Iso = (description: string) => t.String({ description, examples: ['2026-01-01T00:00:00.000Z'] })
const IsoOrNull = (description: string) => t.Union([t.String(), t.Null()], { description, examples: [null] })

export const CreateApiKeyBody = t.Object(
  {
    name: t.Optional(t.String({ minLength: 1, maxLength: 200, description: 'A label for the key.', examples: ['ci-pipeline'] })),
    expires_at: t.Optional(t.String({ maxLength: 40, description: 'ISO-8601 time after which the key stops working; must be in the future.', examples: ['2027-01-01T00:00:00Z'] })),
  },
  { examples: [{ name: 'ci-pipeline', expires_at: '2027-01-01T00:00:00Z' }] },
)

export const NewApiKeyObject = t.Object(
  {
    id: t.String({ description: 'The key id, as in the listing (key_…).' }),
    object: t.Literal('api_key'),
    api_key: t.String({ description: 'The secret: shown only in this response.' }),
    api_key_id: t.String({ description: 'The same id as `id` (kept for clients of the first release).' }),
    name: t.String(),
    start: t.String({ description: 'Visible prefix of the secret, as shown in listings.' }),
    created_at: Iso('When the key was created.'),
    expires_at: IsoOrNull('When the key stops working; null = never.'),
  },
  { examples: [{ id: 'key_7Hc2kPq9Lw3mXv8rTz1bYd0e', object: 'api_key', api_key: 'br_live_4nQ8…', api_key_id: 'key_7Hc2kPq9Lw3mXv8rTz1bYd0e', name: 'ci-pipeline', start: 'br_live_4nQ8', created_at: '2026-01-01T00:00:00.000Z', expires_at: '2027-01-01T00:00:00.000Z' }] },
)

export const ApiKeyObject = t.Object(
  {
    id: t.String(),
    object: t.Literal('api_key'),
    name: t.String(),
    start: t.String(),
    created_at: Iso('When the key was created.'),
    expires_at: IsoOrNull('When the key stops working; null = never.'),
    last_used_at: IsoOrNull('Last authenticated request (refreshed at most once a minute).'),
    revoked_at: IsoOrNull('When the key was revoked; null = active.'),
  },
  { examples: [{ id: 'key_7Hc2kPq9Lw3mXv8rTz1bYd0e', object: 'api_key', name: 'default', start: 'br_live_4nQ8', created_at: '2026-01-01T00:00:00.000Z', expires_at: null, last_used_at: '2026-01-02T09:30:00.000Z', revoked_at: null }] },
)

export const ApiKeyList = t.Object({ object: t.Literal('list'), data: t.Array(ApiKeyObject) }, { examples: [{ object: 'list', data: [] }] })

export const ApiKeyParams = t.Object({ id: t.String({ maxLength: 100, description: 'The key id (key_…).', examples: ['key_7Hc2kPq9Lw3mXv8rTz1bYd0e'] }) })
