/** TypeBox models of ledger entries, balances and ledger listings. */
import { t } from 'elysia'

/** A 6-decimal USD string as every money field on the wire. */
export const MoneyString = (description: string, example = '25.000000') => t.String({ pattern: '^-?\\d+\\.\\d{6}$', description, examples: [example] })

export const LEDGER_KINDS = ['grant', 'reserve', 'charge', 'release', 'refund', 'adjust'] as const

export const LedgerEntryObject = t.Object(
  {
    id: t.Integer({ description: 'Entry id; increases with every entry.' }),
    object: t.Literal('ledger_entry'),
    org_id: t.String(),
    kind: t.UnionEnum(LEDGER_KINDS, { description: 'grant/adjust: operator; reserve: batch create; charge/release: settlement; refund: reserved for later use.' }),
    amount: MoneyString('Size of the movement (signed for adjustments).'),
    delta_available: MoneyString('Change to credit_balance.'),
    delta_reserved: MoneyString('Change to reserved_balance.', '0.000000'),
    currency: t.Literal('usd'),
    reference: t.String({ description: 'Unique idempotency reference of the movement.' }),
    reservation_id: t.Union([t.String(), t.Null()]),
    batch_id: t.Union([t.String(), t.Null()]),
    note: t.Union([t.String(), t.Null()]),
    created_at: t.String({ description: 'ISO-8601 time of the entry.' }),
  },
  {
    examples: [
      { id: 12, object: 'ledger_entry', org_id: 'org_3kQ9xLw2mPz7Rt5vBn8cYh1d', kind: 'grant', amount: '25.000000', delta_available: '25.000000', delta_reserved: '0.000000', currency: 'usd', reference: 'op:invoice-2026-001', reservation_id: null, batch_id: null, note: 'January top-up', created_at: '2026-01-01T00:00:00.000Z' },
    ],
  },
)

export const LedgerList = t.Object(
  { object: t.Literal('list'), data: t.Array(LedgerEntryObject), first_id: t.Union([t.Integer(), t.Null()]), last_id: t.Union([t.Integer(), t.Null()]), has_more: t.Boolean() },
  { examples: [{ object: 'list', data: [], first_id: null, last_id: null, has_more: false }] },
)

export const LedgerQuery = t.Object({
  after: t.Optional(t.Integer({ description: 'Cursor: return entries older than this entry id (the previous page\'s last_id).', examples: [12] })),
  limit: t.Optional(t.Integer({ description: 'Page size, 1–100 (default 20).', examples: [20] })),
})

export const BalanceFields = {
  credit_balance: MoneyString('What can be spent now: grants − charges − active reservations.'),
  reserved_balance: MoneyString('Held for running batches.', '0.000000'),
  currency: t.Literal('usd'),
}
