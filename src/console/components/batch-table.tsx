/** Batches as rows with live progress bars; the caller polls while any of them runs. */
import type { BatchObject } from '../types'
import { link } from '../router'
import { money, when } from '../format'
import { Id, ProgressBar, StatusBadge } from './ui'

export function BatchTable({ batches, caption }: { batches: BatchObject[]; caption: string }) {
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Batch</th>
            <th scope="col">Created</th>
            <th scope="col">Status</th>
            <th scope="col" class="col-progress">
              Progress
            </th>
            <th scope="col" class="num">
              Done / failed / items
            </th>
            <th scope="col" class="num">
              Cost so far
            </th>
          </tr>
        </thead>
        <tbody>
          {batches.map((b) => (
            <tr key={b.id} data-batch-id={b.id}>
              <td>
                <a href={link('batches', b.id)}>
                  <Id>{b.id}</Id>
                </a>
              </td>
              <td class="nowrap">{when(b.batch.created_at)}</td>
              <td>
                <StatusBadge status={b.batch.status} />
              </td>
              <td>
                <ProgressBar fraction={b.batch.progress} label={`Progress of ${b.id}`} />
              </td>
              <td class="num">
                {b.batch.counts.completed} / {b.batch.counts.failed + b.batch.counts.cancelled} / {b.batch.item_count}
              </td>
              <td class="num">{money(b.batch.cost_so_far.amount)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
