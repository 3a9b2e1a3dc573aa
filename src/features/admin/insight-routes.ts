/** `GET /v1/admin/providers` and `GET /v1/admin/overview`: provider health and the totals the operator console shows. Admin key only. */
import { Elysia, t } from 'elysia'
import type { Deps } from '../../deps'
import { adminAuth } from '../api-keys/index'
import { MoneyString } from '../credits'
import { buildOverview, listProviderHealth, presentProviderHealth } from './insight'

const Circuit = t.Union([t.Literal('closed'), t.Literal('open'), t.Literal('half_open')], { description: 'closed: healthy; open: repeated provider failures, no new lanes; half_open: one probe lane may go.' })

const ProviderHealthObject = t.Object({
  provider: t.String(),
  display_name: t.String(),
  kind: t.String({ description: 'Wire protocol of the provider.' }),
  configured: t.Boolean({ description: 'Base URL and credential present: its offerings may be routed to.' }),
  circuit: Circuit,
  offerings: t.Integer({ description: 'Catalog offerings of this provider.' }),
  held_items: t.Integer({ description: 'Items queued or running on its offerings now.' }),
  capacity_left: t.Integer({ description: 'Items its offerings can still take now.' }),
})

const ProviderHealthList = t.Object(
  { object: t.Literal('list'), data: t.Array(ProviderHealthObject) },
  { examples: [{ object: 'list', data: [{ provider: 'openai', display_name: 'OpenAI', kind: 'openai-batch', configured: true, circuit: 'closed', offerings: 4, held_items: 120, capacity_left: 49880 }] }] },
)

const Counts = t.Record(t.String(), t.Integer())

const OverviewObject = t.Object(
  {
    object: t.Literal('overview'),
    generated_at: t.String(),
    orgs: t.Integer(),
    batches: Counts,
    active_items: Counts,
    ledger: t.Object({ currency: t.Literal('usd'), granted: MoneyString('Grants plus operator adjustments, all orgs.'), charged: MoneyString('Charges minus refunds, all orgs.'), reserved: MoneyString('Held by running batches now.') }),
    http: t.Object({ total: t.Integer(), client_errors: t.Integer(), server_errors: t.Integer() }, { description: 'HTTP answers since this process started.' }),
  },
  {
    examples: [
      { object: 'overview', generated_at: '2026-01-01T00:00:00.000Z', orgs: 3, batches: { completed: 12, processing: 1 }, active_items: { running: 40, queued: 10 }, ledger: { currency: 'usd', granted: '75.000000', charged: '1.234567', reserved: '0.250000' }, http: { total: 1200, client_errors: 14, server_errors: 0 } },
    ],
  },
)

/** Mounted under the operator routes' `/v1/admin` prefix. */
export function adminInsightRoutes(deps: Deps) {
  return new Elysia({ tags: ['Admin'] })
    .use(adminAuth(deps))
    .get('/providers', () => ({ object: 'list' as const, data: listProviderHealth(deps).map(presentProviderHealth) }), {
      response: { 200: ProviderHealthList },
      detail: { summary: 'Provider health', description: 'Every catalog provider: configured or not, its circuit breaker state, items its offerings hold now and the room they have left.' },
    })
    .get('/overview', () => buildOverview(deps), {
      response: { 200: OverviewObject },
      detail: { summary: 'Appliance overview', description: 'Totals at a glance: orgs, batches by native status, items of unfinished batches by status, ledger totals over all orgs, and HTTP answers since start by class.' },
    })
}
