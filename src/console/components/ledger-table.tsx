/** Ledger entries newest first: kind, signed amount, what it moved, note and batch; paged by "load more". */
import { useState } from 'preact/hooks'
import { api, withQuery } from '../api'
import { useLoad } from '../hooks'
import { money, when } from '../format'
import type { LedgerEntry, List } from '../types'
import { Empty, ErrorNote, Id, Loading, StatusBadge } from './ui'

/** `path` lists entries (`/v1/admin/orgs/{id}/ledger`); `version` reloads it after a grant. */
export function LedgerTable({ path, version = 0 }: { path: string; version?: number }) {
  const [pages, setPages] = useState(1)
  const ledger = useLoad(() => loadPages(path, pages), [path, pages, version])
  if (ledger.error) return <ErrorNote error={ledger.error} />
  if (!ledger.data) return <Loading />
  if (ledger.data.data.length === 0) return <Empty>No ledger entries yet.</Empty>
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">Ledger entries, newest first</caption>
        <thead>
          <tr>
            <th scope="col" class="num">
              #
            </th>
            <th scope="col">When</th>
            <th scope="col">Kind</th>
            <th scope="col" class="num">
              Amount
            </th>
            <th scope="col" class="num">
              Δ available
            </th>
            <th scope="col" class="num">
              Δ reserved
            </th>
            <th scope="col">Note</th>
            <th scope="col">Batch / reference</th>
          </tr>
        </thead>
        <tbody>
          {ledger.data.data.map((e) => (
            <tr key={e.id}>
              <td class="num">{e.id}</td>
              <td class="nowrap">{when(e.created_at)}</td>
              <td>
                <StatusBadge status={e.kind} />
              </td>
              <td class="num">{money(e.amount)}</td>
              <td class="num">{money(e.delta_available)}</td>
              <td class="num">{money(e.delta_reserved)}</td>
              <td>{e.note ?? ''}</td>
              <td>{e.batch_id ? <Id>{e.batch_id}</Id> : <Id>{e.reference}</Id>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {ledger.data.has_more && (
        <button type="button" class="secondary" onClick={() => setPages(pages + 1)}>
          Load more
        </button>
      )}
    </div>
  )
}

async function loadPages(path: string, pages: number): Promise<List<LedgerEntry>> {
  const data: LedgerEntry[] = []
  let after: number | undefined
  let hasMore = false
  for (let i = 0; i < pages; i++) {
    const page = await api<List<LedgerEntry>>(withQuery(path, { limit: 50, after }))
    data.push(...page.data)
    hasMore = Boolean(page.has_more)
    after = page.last_id as number | undefined
    if (!hasMore || after === undefined) break
  }
  return { object: 'list', data, has_more: hasMore }
}
