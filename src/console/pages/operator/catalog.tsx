/** The catalog as routing sees it: every model and its provider offerings with batch prices, capacity, retention and availability. */
import { api } from '../../api'
import { useLoad } from '../../hooks'
import { duration } from '../../format'
import { ErrorNote, Id, Loading, Page, StatusBadge } from '../../components/ui'

interface Offering {
  offering_id: string
  provider: string
  lane_kind: string
  pricing: { input_per_1m: string; output_per_1m: string }
  capacity: { max_batch_items: number }
  regions: string[]
  retention: { zdr: boolean; days: number }
  turnaround_seconds: number
  available: boolean
}

interface Model {
  slug: string
  display_name: string
  operations: string[]
  context_window: number
  provider_offerings: Offering[]
}

export function Catalog() {
  const catalog = useLoad(() => api<{ data: Model[]; pricing_updated_at?: string }>('/v1/catalog/models'), [])
  return (
    <Page title="Catalog">
      <ErrorNote error={catalog.error} />
      {!catalog.data ? (
        !catalog.error && <Loading />
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Models and their offerings</caption>
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Offering</th>
                <th scope="col" class="num">
                  In / out per 1M
                </th>
                <th scope="col" class="num">
                  Max items
                </th>
                <th scope="col">Regions · retention</th>
                <th scope="col" class="num">
                  Turnaround
                </th>
                <th scope="col">Available</th>
              </tr>
            </thead>
            <tbody>
              {catalog.data.data.flatMap((m) =>
                m.provider_offerings.map((o, i) => (
                  <tr key={o.offering_id}>
                    {i === 0 && (
                      <th scope="rowgroup" rowSpan={m.provider_offerings.length} class="model-cell">
                        {m.display_name} <code>{m.slug}</code>
                        <div class="muted">
                          {m.operations.join(', ')} · {m.context_window.toLocaleString()} tokens
                        </div>
                      </th>
                    )}
                    <td>
                      {o.provider} <Id>{o.offering_id}</Id> <span class="muted">{o.lane_kind}</span>
                    </td>
                    <td class="num">
                      ${o.pricing.input_per_1m} / ${o.pricing.output_per_1m}
                    </td>
                    <td class="num">{o.capacity.max_batch_items.toLocaleString()}</td>
                    <td>
                      {o.regions.join(', ')} · {o.retention.zdr ? 'zero retention' : `${o.retention.days} days`}
                    </td>
                    <td class="num">{duration(o.turnaround_seconds)}</td>
                    <td>
                      <StatusBadge status={o.available ? 'available' : 'unavailable'} />
                    </td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  )
}
