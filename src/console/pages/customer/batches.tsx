/** All the org's batches, newest first, filtered by native status, with live progress and "load more". */
import { useEffect, useState } from 'preact/hooks'
import { api, withQuery } from '../../api'
import { useLoad } from '../../hooks'
import { link, navigate } from '../../router'
import { isTerminal } from '../../format'
import type { BatchObject, List } from '../../types'
import { Empty, ErrorNote, Field, Loading, Page } from '../../components/ui'
import { BatchTable } from '../../components/batch-table'

const STATUSES = ['pending', 'queued', 'routing', 'dispatched', 'processing', 'completing', 'completed', 'failed', 'cancelled', 'expired']
const PAGE = 20

export function BatchList({ status }: { status: string }) {
  const [pages, setPages] = useState(1)
  useEffect(() => setPages(1), [status])
  // Every loaded page is refreshed together so progress bars stay live on all of them.
  const list = useLoad(() => loadPages(status, pages), [status, pages], { pollMs: 2000, keepPolling: (l) => l.data.some((b) => !isTerminal(b.batch.status)) })
  const setStatus = (next: string) => navigate(next ? `#/batches?status=${encodeURIComponent(next)}` : '#/batches')
  return (
    <Page title="Batches" actions={<a class="button" href={link('new')}>New batch</a>}>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <Field label="Status">
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </Field>
      </form>
      <ErrorNote error={list.error} />
      {list.data === undefined ? (
        !list.error && <Loading />
      ) : list.data.data.length === 0 ? (
        <Empty>{status ? `No ${status} batches.` : 'No batches yet.'}</Empty>
      ) : (
        <>
          <BatchTable batches={list.data.data} caption={status ? `Batches with status ${status}` : 'Batches'} />
          {list.data.has_more && (
            <button type="button" class="secondary" onClick={() => setPages(pages + 1)}>
              Load more
            </button>
          )}
        </>
      )}
    </Page>
  )
}

/** The first `pages` pages of the list, fetched by cursor and joined. */
async function loadPages(status: string, pages: number): Promise<List<BatchObject>> {
  const data: BatchObject[] = []
  let after: string | undefined
  let hasMore = false
  for (let i = 0; i < pages; i++) {
    const page = await api<List<BatchObject>>(withQuery('/v1/batches', { limit: PAGE, status, after }))
    data.push(...page.data)
    hasMore = Boolean(page.has_more)
    after = page.last_id as string | undefined
    if (!hasMore || !after) break
  }
  return { object: 'list', data, has_more: hasMore }
}
