/** Provider health: configured or not, circuit breaker state, work held and room left, per catalog provider. */
import { api } from '../../api'
import { useLoad } from '../../hooks'
import type { List } from '../../types'
import { ErrorNote, Loading, Page, StatusBadge } from '../../components/ui'

export interface ProviderHealth {
  provider: string
  display_name: string
  kind: string
  configured: boolean
  circuit: 'closed' | 'open' | 'half_open'
  offerings: number
  held_items: number
  capacity_left: number
}

export function Providers() {
  const providers = useLoad(() => api<List<ProviderHealth>>('/v1/admin/providers'), [], { pollMs: 5000 })
  return (
    <Page title="Providers">
      <p class="muted">
        A provider's circuit opens after repeated failed, expired or stalled provider jobs: routing then sends it no new lanes until a probe lane succeeds after the cool-down.
      </p>
      <ErrorNote error={providers.error} />
      {providers.data ? <ProviderTable providers={providers.data.data} /> : !providers.error && <Loading />}
    </Page>
  )
}

export function ProviderTable({ providers }: { providers: ProviderHealth[] }) {
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">Provider health</caption>
        <thead>
          <tr>
            <th scope="col">Provider</th>
            <th scope="col">Wire protocol</th>
            <th scope="col">Configured</th>
            <th scope="col">Circuit</th>
            <th scope="col" class="num">
              Offerings
            </th>
            <th scope="col" class="num">
              Items held
            </th>
            <th scope="col" class="num">
              Room left
            </th>
          </tr>
        </thead>
        <tbody>
          {providers.map((p) => (
            <tr key={p.provider} data-provider={p.provider}>
              <td>
                <strong>{p.display_name}</strong> <code>{p.provider}</code>
              </td>
              <td>{p.kind}</td>
              <td>
                <StatusBadge status={p.configured ? 'configured' : 'not_configured'} />
              </td>
              <td>
                <StatusBadge status={`circuit_${p.circuit}`} />
              </td>
              <td class="num">{p.offerings}</td>
              <td class="num">{p.held_items}</td>
              <td class="num">{p.capacity_left}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
