/** Candidate lanes (a quote's `quote_lanes`, a receipt group's `candidates`): selected with a price, or rejected with the reason. */
import type { Candidate } from '../types'
import { duration, money } from '../format'
import { Id } from './ui'

export function CandidateTable({ candidates, caption }: { candidates: Candidate[]; caption: string }) {
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Lane</th>
            <th scope="col">Model · operation</th>
            <th scope="col">Provider / offering</th>
            <th scope="col" class="num">
              Items
            </th>
            <th scope="col" class="num">
              Price
            </th>
            <th scope="col" class="num">
              Expected
            </th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {candidates.map((c, i) => (
            <tr key={`${c.offering_id}-${c.model}-${c.operation}-${i}`} class={c.selected ? 'selected' : 'rejected'}>
              <td>{c.selected ? <span class="badge badge-completed">selected{c.rank ? ` #${c.rank}` : ''}</span> : <span class="badge badge-rejected">{c.rejection_code ?? (c.rank ? `fallback #${c.rank}` : 'not chosen')}</span>}</td>
              <td>
                {c.model} · {c.operation}
              </td>
              <td>
                {c.provider} <Id>{c.offering_id}</Id>
              </td>
              <td class="num">{c.selected ? `${c.item_count} (${c.allocation_percent} %)` : '—'}</td>
              <td class="num">{c.price ? money(c.price.total) : '—'}</td>
              <td class="num">{c.estimated_completion_seconds ? duration(c.estimated_completion_seconds) : '—'}</td>
              <td class="reason">{c.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
