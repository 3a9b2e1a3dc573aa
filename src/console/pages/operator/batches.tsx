/** Batches across every org, newest first, filtered by org and native status. */
import { useState } from 'preact/hooks'
import { api, withQuery } from '../../api'
import { useLoad } from '../../hooks'
import { link, navigate } from '../../router'
import { isTerminal, when } from '../../format'
import type { List } from '../../types'
import { Empty, ErrorNote, Field, Id, Loading, Page, StatusBadge } from '../../components/ui'

interface AdminBatch {
  id: string
  org_id: string
  status: string
  created_at: string
  item_count: number
}

const STATUSES = ['pending', 'queued', 'routing', 'dispatched', 'processing', 'completing', 'completed', 'failed', 'cancelled', 'expired']

export function AllBatches({ orgId, status }: { orgId: string; status: string }) {
  const [after, setAfter] = useState<string[]>([])
  const batches = useLoad(() => api<List<AdminBatch>>(withQuery('/v1/admin/batches', { limit: 50, org_id: orgId, status, after: after.at(-1) })), [orgId, status, after.join(',')], {
    pollMs: 3000,
    keepPolling: (l) => l.data.some((b) => !isTerminal(b.status)),
  })
  const [org, setOrg] = useState(orgId)
  const go = (next: { org?: string; status?: string }) => {
    setAfter([])
    const q = new URLSearchParams()
    const o = next.org ?? orgId
    const s = next.status ?? status
    if (o) q.set('org', o)
    if (s) q.set('status', s)
    navigate(`#/batches${q.size ? `?${q}` : ''}`)
  }
  return (
    <Page title="All batches">
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault()
          go({ org: org.trim() })
        }}
      >
        <Field label="Org id">
          <input type="text" value={org} onInput={(e) => setOrg(e.currentTarget.value)} placeholder="org_…" />
        </Field>
        <Field label="Status">
          <select value={status} onChange={(e) => go({ status: e.currentTarget.value })}>
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </Field>
        <button type="submit" class="secondary">
          Filter
        </button>
      </form>
      <ErrorNote error={batches.error} />
      {!batches.data ? (
        !batches.error && <Loading />
      ) : batches.data.data.length === 0 ? (
        <Empty>No batches match.</Empty>
      ) : (
        <BatchRows page={batches.data} onMore={() => setAfter([...after, String(batches.data!.last_id)])} />
      )}
    </Page>
  )
}

/** One page of batches; `onMore` loads the next page. */
function BatchRows({ page, onMore }: { page: List<AdminBatch>; onMore: () => void }) {
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Batch</th>
            <th scope="col">Org</th>
            <th scope="col">Created</th>
            <th scope="col">Status</th>
            <th scope="col" class="num">
              Items
            </th>
          </tr>
        </thead>
        <tbody>
          {page.data.map((b) => (
            <tr key={b.id}>
              <td>
                <Id>{b.id}</Id>
              </td>
              <td>
                <a href={link('orgs', b.org_id)}>
                  <Id>{b.org_id}</Id>
                </a>
              </td>
              <td class="nowrap">{when(b.created_at)}</td>
              <td>
                <StatusBadge status={b.status} />
              </td>
              <td class="num">{b.item_count}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {page.has_more && (
        <button type="button" class="secondary" onClick={onMore}>
          Next page
        </button>
      )}
    </div>
  )
}
