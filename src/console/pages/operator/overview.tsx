/** The operator's home: totals at a glance (orgs, batches by status, ledger, HTTP errors) and provider health. */
import { api } from '../../api'
import { useLoad } from '../../hooks'
import { link } from '../../router'
import { money, when } from '../../format'
import type { List } from '../../types'
import { ErrorNote, Loading, Page, Panel, Stat, StatusBadge } from '../../components/ui'
import { ProviderTable, type ProviderHealth } from './providers'

interface Overview {
  generated_at: string
  orgs: number
  batches: Record<string, number>
  active_items: Record<string, number>
  ledger: { granted: string; charged: string; reserved: string }
  http: { total: number; client_errors: number; server_errors: number }
}

const RUNNING = ['pending', 'queued', 'routing', 'dispatched', 'processing', 'completing']

export function OperatorOverview() {
  const overview = useLoad(() => api<Overview>('/v1/admin/overview'), [], { pollMs: 5000 })
  const providers = useLoad(() => api<List<ProviderHealth>>('/v1/admin/providers'), [], { pollMs: 10000 })
  const o = overview.data
  const running = o ? RUNNING.reduce((n, s) => n + (o.batches[s] ?? 0), 0) : 0
  const activeItems = o ? Object.values(o.active_items).reduce((n, v) => n + v, 0) : 0
  return (
    <Page title="Operator overview">
      <ErrorNote error={overview.error} />
      {!o ? (
        !overview.error && <Loading />
      ) : (
        <>
          <div class="stats">
            <Stat label="Orgs" value={<a href={link('orgs')}>{o.orgs}</a>} />
            <Stat label="Batches running" value={<a href={link('batches')}>{running}</a>} hint={`${activeItems} items in unfinished batches`} />
            <Stat label="Credit granted" value={money(o.ledger.granted)} hint={`charged ${money(o.ledger.charged)}, reserved ${money(o.ledger.reserved)}`} />
            <Stat label="HTTP answers" value={o.http.total} hint={`${o.http.client_errors} 4xx, ${o.http.server_errors} 5xx since start`} />
          </div>
          <Panel title="Batches by status">
            <ul class="status-counts">
              {Object.entries(o.batches)
                .filter(([, n]) => n > 0)
                .map(([status, n]) => (
                  <li key={status}>
                    <a href={link('batches') + `?status=${status}`}>
                      <StatusBadge status={status} /> {n}
                    </a>
                  </li>
                ))}
              {Object.values(o.batches).every((n) => n === 0) && <li class="muted">No batches yet.</li>}
            </ul>
            <p class="muted">As of {when(o.generated_at)}. Prometheus figures are at /metrics.</p>
          </Panel>
        </>
      )}
      <Panel title="Provider health">
        <ErrorNote error={providers.error} />
        {providers.data ? <ProviderTable providers={providers.data.data} /> : !providers.error && <Loading />}
      </Panel>
    </Page>
  )
}
