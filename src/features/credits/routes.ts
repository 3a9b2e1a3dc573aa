/** `GET /v1/auth/account/ledger` and `/spend`: the calling org's own credit movements and its spend per day. */
import { Elysia } from 'elysia'
import type { Deps } from '../../deps'
import { customerAuth } from '../api-keys/index'
import { LedgerList, LedgerQuery } from './models'
import { listLedgerEntries } from './service'
import { presentLedgerPage } from './present'
import { numericCursor, pageLimit } from './paging'
import { presentSpend, spendPerDay } from './spend'
import { SpendObject, SpendQuery } from './spend-models'

/** Mounted in http/routes.ts beside the other `/v1/auth` routes. */
export function creditsRoutes(deps: Deps) {
  return new Elysia({ prefix: '/v1/auth', tags: ['Accounts'] })
    .use(customerAuth(deps))
    .get('/account/ledger', ({ auth, query }) => presentLedgerPage(listLedgerEntries(deps, auth.orgId, { after: numericCursor(query.after), limit: pageLimit(query.limit) })), {
      query: LedgerQuery,
      response: { 200: LedgerList },
      detail: { summary: 'List credit movements', description: 'The calling org\'s ledger, newest first: grants, reservations, charges, releases and adjustments. Page with `after` = the previous page\'s `last_id`.' },
    })
    .get('/account/spend', ({ auth, query }) => presentSpend(spendPerDay(deps, auth.orgId, query.days ?? 30)), {
      query: SpendQuery,
      response: { 200: SpendObject },
      detail: { summary: 'Spend per day', description: 'What settled batches charged the calling org per UTC day (charges minus refunds), oldest first, every day of the window listed. `days` 1–366, default 30, today included.' },
    })
}
