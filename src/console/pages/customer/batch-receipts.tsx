/** The batch page's receipts: routing (every lane considered, every re-route), billing (quoted vs settled, credits), and webhook deliveries. */
import { api } from '../../api'
import { useLoad } from '../../hooks'
import { money, when } from '../../format'
import type { BillingReceipt, Delivery, List, RoutingReceipt } from '../../types'
import { Empty, ErrorNote, Id, Loading, Panel, StatusBadge } from '../../components/ui'
import { CandidateTable } from '../../components/candidates'

const enc = encodeURIComponent

export function RoutingReceiptPanel({ id, status }: { id: string; status: string }) {
  const receipt = useLoad(() => api<RoutingReceipt>(`/v1/batches/${enc(id)}/receipt`), [id, status])
  return (
    <Panel title="Routing receipt">
      <ErrorNote error={receipt.error} />
      {!receipt.data ? (
        !receipt.error && <Loading />
      ) : (
        <>
          <p>{receipt.data.summary || 'Not routed yet.'}</p>
          {receipt.data.item_groups.map((g) => (
            <details key={`${g.model}-${g.operation}`} open={receipt.data!.item_groups.length === 1}>
              <summary>
                {g.item_count} {g.model} {g.operation} item{g.item_count === 1 ? '' : 's'}: <StatusBadge status={g.status} />
              </summary>
              <p class="muted">{g.explanation}</p>
              <CandidateTable candidates={g.candidates} caption={`Lanes considered for ${g.model} ${g.operation}`} />
            </details>
          ))}
          {receipt.data.reroutes.length > 0 && (
            <>
              <h3>Re-routes</h3>
              <ul>
                {receipt.data.reroutes.map((r, i) => (
                  <li key={i}>
                    {when(r.at)}: {r.item_count} item(s) moved from <Id>{r.from_offering_id ?? '—'}</Id> to <Id>{r.to_offering_id ?? '—'}</Id> ({r.cause}){r.message ? `: ${r.message}` : ''}
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </Panel>
  )
}

export function BillingReceiptPanel({ id, status }: { id: string; status: string }) {
  const receipt = useLoad(() => api<{ billing_receipt: BillingReceipt }>(`/v1/batches/${enc(id)}/billing-receipt`), [id, status])
  const r = receipt.data?.billing_receipt
  return (
    <Panel title="Billing receipt">
      <ErrorNote error={receipt.error} />
      {!r ? (
        !receipt.error && <Loading />
      ) : (
        <>
          <dl class="facts">
            <dt>Quoted</dt>
            <dd>{money(r.pricing.quoted_price.amount)}</dd>
            <dt>Settled</dt>
            <dd>{r.pricing.final_settled_price ? money(r.pricing.final_settled_price.amount) : 'not yet (settles when the batch finishes)'}</dd>
            <dt>Credits</dt>
            <dd>
              reserved {money(r.credits.reserved.amount)} · charged {money(r.credits.charged.amount)} · released {money(r.credits.released.amount)} ({r.credits.reservation_status}
              {r.credits.settled_at ? `, ${when(r.credits.settled_at)}` : ''})
            </dd>
          </dl>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Lane</th>
                  <th scope="col" class="num">
                    Items
                  </th>
                  <th scope="col" class="num">
                    Tokens in / out
                  </th>
                  <th scope="col" class="num">
                    Quoted
                  </th>
                  <th scope="col" class="num">
                    Settled
                  </th>
                </tr>
              </thead>
              <tbody>
                {r.provider_lanes.map((l) => (
                  <tr key={l.lane_id}>
                    <td>
                      {l.model} · {l.provider} <Id>{l.offering_id}</Id>
                    </td>
                    <td class="num">{l.item_count}</td>
                    <td class="num">{l.usage ? `${l.usage.input_tokens} / ${l.usage.output_tokens}` : '—'}</td>
                    <td class="num">{money(l.quoted_price.amount)}</td>
                    <td class="num">{l.final_settled_price ? money(l.final_settled_price.amount) : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </Panel>
  )
}

export function DeliveriesPanel({ id, status }: { id: string; status: string }) {
  const deliveries = useLoad(() => api<List<Delivery>>(`/v1/batches/${enc(id)}/webhook-deliveries?limit=20`), [id, status])
  return (
    <Panel title="Webhook deliveries">
      <ErrorNote error={deliveries.error} />
      {!deliveries.data ? (
        !deliveries.error && <Loading />
      ) : deliveries.data.data.length === 0 ? (
        <Empty>No webhook events for this batch (set a default webhook under Webhooks to get them).</Empty>
      ) : (
        <ul class="deliveries">
          {deliveries.data.data.map((d) => (
            <li key={d.id}>
              <strong>{d.type}</strong> → <code>{d.url}</code> <StatusBadge status={d.state} /> {d.attempt_count} attempt(s)
              {d.delivered_at ? `, delivered ${when(d.delivered_at)}` : d.next_attempt_at ? `, next try ${when(d.next_attempt_at)}` : ''}
              <ul>
                {d.attempts.map((a) => (
                  <li key={a.attempt}>
                    #{a.attempt} {when(a.at)}: {a.status_code ?? 'no answer'}
                    {a.latency_ms !== null ? ` in ${a.latency_ms} ms` : ''}
                    {a.error ? ` (${a.error})` : ''}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
    </Panel>
  )
}
