/** TypeBox models of the operator routes under /v1/admin. */
import { t } from 'elysia'
import { BalanceFields, LedgerEntryObject } from '../credits'
import { DeliveryWebhookObject, Email, OrgName } from '../accounts'

const ORG_ID = 'org_3kQ9xLw2mPz7Rt5vBn8cYh1d'
const IsoString = (description: string) => t.String({ description, examples: ['2026-01-01T00:00:00.000Z'] })
const NullableString = t.Union([t.String(), t.Null()])

export const AdminOrgObject = t.Object(
  {
    id: t.String(),
    object: t.Literal('organization'),
    name: t.String(),
    email: NullableString,
    agent_name: NullableString,
    ...BalanceFields,
    created_at: IsoString('When the org was created.'),
    delivery_webhook: t.Union([DeliveryWebhookObject, t.Null()]),
  },
  { examples: [{ id: ORG_ID, object: 'organization', name: 'Acme research', email: 'ops@example.com', agent_name: null, credit_balance: '25.000000', reserved_balance: '0.000000', currency: 'usd', created_at: '2026-01-01T00:00:00.000Z', delivery_webhook: null }] },
)

export const CreateOrgBody = t.Object(
  {
    name: OrgName('Org name.', 'Acme research'),
    email: t.Optional(Email),
    starting_credit: t.Optional(t.String({ pattern: '^\\d{1,9}(\\.\\d{1,6})?$', description: 'USD granted at creation; defaults to the configured starting credit.', examples: ['25.00'] })),
  },
  { examples: [{ name: 'Acme research', email: 'ops@example.com', starting_credit: '25.00' }] },
)

export const CreatedOrgResponse = t.Object(
  { org: AdminOrgObject, api_key: t.String({ description: 'The org\'s first key: shown only in this response.' }), api_key_id: t.String() },
  { examples: [{ org: { id: ORG_ID, object: 'organization', name: 'Acme research', email: null, agent_name: null, credit_balance: '25.000000', reserved_balance: '0.000000', currency: 'usd', created_at: '2026-01-01T00:00:00.000Z', delivery_webhook: null }, api_key: 'br_live_4nQ8…', api_key_id: 'key_7Hc2kPq9Lw3mXv8rTz1bYd0e' }] },
)

/** Cursor query shared by the id-ordered admin lists. */
export const IdCursorQuery = t.Object({
  after: t.Optional(t.String({ maxLength: 100, description: "Cursor: the previous page's last_id.", examples: [ORG_ID] })),
  limit: t.Optional(t.Integer({ description: 'Page size, 1–100 (default 20).', examples: [20] })),
})

export const OrgList = t.Object(
  { object: t.Literal('list'), data: t.Array(AdminOrgObject), first_id: NullableString, last_id: NullableString, has_more: t.Boolean() },
  { examples: [{ object: 'list', data: [], first_id: null, last_id: null, has_more: false }] },
)

export const OrgParams = t.Object({ id: t.String({ maxLength: 100, description: 'The org id (org_…).', examples: [ORG_ID] }) })

export const CreditBody = t.Object(
  {
    amount: t.String({ pattern: '^-?\\d{1,9}(\\.\\d{1,6})?$', description: 'USD, at most 6 decimals. Positive = grant; negative = adjustment, refused with 402 if it would take the available balance below zero.', examples: ['25.00'] }),
    note: t.String({ minLength: 1, maxLength: 500, description: 'Why: shown in the ledger.', examples: ['January top-up'] }),
    reference: t.String({ minLength: 1, maxLength: 200, description: 'Idempotency reference (e.g. an invoice number): repeating it returns the original entry; stored as `op:<reference>`.', examples: ['invoice-2026-001'] }),
  },
  { examples: [{ amount: '25.00', note: 'January top-up', reference: 'invoice-2026-001' }] },
)

export const CreditResponse = t.Object(
  {
    entry: LedgerEntryObject,
    replayed: t.Boolean({ description: 'True when the reference was already used: nothing new was written.' }),
    balance: t.Object(BalanceFields),
  },
  { examples: [{ entry: LedgerEntryObject.examples[0], replayed: false, balance: { credit_balance: '25.000000', reserved_balance: '0.000000', currency: 'usd' } }] },
)

export const AdminBatchObject = t.Object(
  { id: t.String(), org_id: t.String(), status: t.String({ description: 'Native batch status.' }), created_at: IsoString('When the batch was created.'), item_count: t.Integer() },
  { examples: [{ id: 'bat_9Fh3kQ2mLx7Pw4Rz8Tn1Vb6c', org_id: ORG_ID, status: 'processing', created_at: '2026-01-01T00:00:00.000Z', item_count: 120 }] },
)

export const BatchesQuery = t.Object({
  ...IdCursorQuery.properties,
  org_id: t.Optional(t.String({ maxLength: 100, description: 'Only this org\'s batches.' })),
  status: t.Optional(t.String({ maxLength: 40, description: 'Only batches in this native status.' })),
})

export const AdminBatchList = t.Object(
  { object: t.Literal('list'), data: t.Array(AdminBatchObject), first_id: NullableString, last_id: NullableString, has_more: t.Boolean() },
  { examples: [{ object: 'list', data: [], first_id: null, last_id: null, has_more: false }] },
)

export const AuditEntryObject = t.Object(
  {
    id: t.Integer(),
    object: t.Literal('audit_entry'),
    actor_key_id: t.Union([t.String(), t.Null()], { description: 'The admin key that acted; null = the local CLI.' }),
    action: t.String(),
    subject_id: NullableString,
    detail: t.Union([t.Record(t.String(), t.Unknown()), t.Null()]),
    created_at: IsoString('When it happened.'),
  },
  { examples: [{ id: 3, object: 'audit_entry', actor_key_id: 'key_Ad9…', action: 'org.create', subject_id: ORG_ID, detail: { name: 'Acme research' }, created_at: '2026-01-01T00:00:00.000Z' }] },
)

export const AuditQuery = t.Object({
  after: t.Optional(t.Integer({ description: "Cursor: the previous page's last_id." })),
  limit: t.Optional(t.Integer({ description: 'Page size, 1–100 (default 20).', examples: [20] })),
  subject_id: t.Optional(t.String({ maxLength: 100, description: 'Only entries about this org or key.' })),
})

export const AuditList = t.Object(
  { object: t.Literal('list'), data: t.Array(AuditEntryObject), first_id: t.Union([t.Integer(), t.Null()]), last_id: t.Union([t.Integer(), t.Null()]), has_more: t.Boolean() },
  { examples: [{ object: 'list', data: [], first_id: null, last_id: null, has_more: false }] },
)


export const CatalogReloadResponse = t.Object(
  {
    reloaded: t.Literal(true),
    models: t.Integer({ description: 'Models in the catalog now in effect (defaults plus the file\'s overrides).' }),
    offerings: t.Integer({ description: 'Offerings in the catalog now in effect.' }),
    pricing_updated_at: IsoString('The pricing date of the catalog now in effect.'),
  },
  { examples: [{ reloaded: true, models: 9, offerings: 14, pricing_updated_at: '2026-01-01T00:00:00.000Z' }] },
)
