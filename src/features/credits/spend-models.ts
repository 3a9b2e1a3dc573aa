/** TypeBox models of `GET /v1/auth/account/spend`. */
import { t } from 'elysia'
import { MoneyString } from './models'

export const SpendQuery = t.Object({
  days: t.Optional(t.Integer({ description: 'How many days back, today (UTC) included: 1–366, default 30.', examples: [30] })),
})

export const SpendObject = t.Object(
  {
    object: t.Literal('spend'),
    currency: t.Literal('usd'),
    days: t.Integer({ description: 'Number of entries in `data`.' }),
    total: MoneyString('Spend over the whole window.', '0.012345'),
    data: t.Array(
      t.Object({
        date: t.String({ description: 'UTC day, YYYY-MM-DD.', examples: ['2026-01-01'] }),
        amount: MoneyString('Charged that day (settled batches), minus refunds.', '0.001234'),
      }),
      { description: 'Every day of the window, oldest first; days without spend are 0.000000.' },
    ),
  },
  { examples: [{ object: 'spend', currency: 'usd', days: 2, total: '0.001234', data: [{ date: '2026-01-01', amount: '0.000000' }, { date: '2026-01-02', amount: '0.001234' }] }] },
)
