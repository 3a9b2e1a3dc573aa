/** Every org with its balances, and creating one (its first API key shown once). */
import { useState } from 'preact/hooks'
import { api, withQuery } from '../../api'
import { useAction, useLoad } from '../../hooks'
import { link } from '../../router'
import { money, when } from '../../format'
import type { List } from '../../types'
import { ErrorNote, Field, Id, Loading, Page, Panel, ShownOnce } from '../../components/ui'

export interface AdminOrg {
  id: string
  name: string
  email: string | null
  credit_balance: string
  reserved_balance: string
  created_at: string
}

export function OrgList() {
  const [after, setAfter] = useState<string[]>([])
  const orgs = useLoad(() => api<List<AdminOrg>>(withQuery('/v1/admin/orgs', { limit: 50, after: after.at(-1) })), [after.join(',')])
  const [form, setForm] = useState({ name: '', email: '', credit: '' })
  const [created, setCreated] = useState<{ org: AdminOrg; api_key: string } | null>(null)
  const create = useAction(() =>
    api<{ org: AdminOrg; api_key: string }>('/v1/admin/orgs', {
      method: 'POST',
      json: { name: form.name.trim(), ...(form.email.trim() ? { email: form.email.trim() } : {}), ...(form.credit.trim() ? { starting_credit: form.credit.trim() } : {}) },
    }),
  )
  const onCreate = async (e: Event) => {
    e.preventDefault()
    const result = await create.run()
    if (result) {
      setCreated(result)
      setForm({ name: '', email: '', credit: '' })
      orgs.reload()
    }
  }
  return (
    <Page title="Orgs">
      <Panel title="Create an org">
        <form class="form-grid" onSubmit={onCreate}>
          <Field label="Org name">
            <input type="text" required maxLength={200} value={form.name} onInput={(e) => setForm({ ...form, name: e.currentTarget.value })} />
          </Field>
          <Field label="Contact email" hint="Optional.">
            <input type="email" value={form.email} onInput={(e) => setForm({ ...form, email: e.currentTarget.value })} />
          </Field>
          <Field label="Starting credit (USD)" hint="Optional; the configured default otherwise.">
            <input type="text" inputMode="decimal" pattern="\d{1,9}(\.\d{1,6})?" value={form.credit} onInput={(e) => setForm({ ...form, credit: e.currentTarget.value })} placeholder="25.00" />
          </Field>
          <div class="form-actions">
            <button type="submit" disabled={create.busy}>
              Create org
            </button>
          </div>
        </form>
        <ErrorNote error={create.error} />
        {created && (
          <>
            <ShownOnce label={`First API key of ${created.org.name}.`} secret={created.api_key} />
            <p>
              <a href={link('orgs', created.org.id)}>Open {created.org.name} →</a>
            </p>
          </>
        )}
      </Panel>
      <Panel title="All orgs">
        <ErrorNote error={orgs.error} />
        {!orgs.data ? !orgs.error && <Loading /> : <OrgsTable page={orgs.data} after={after} setAfter={setAfter} />}
      </Panel>
    </Page>
  )
}

/** One page of orgs with previous/next buttons (`after` holds the cursors of the pages before). */
function OrgsTable({ page, after, setAfter }: { page: List<AdminOrg>; after: string[]; setAfter: (next: string[]) => void }) {
  return (
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Org</th>
              <th scope="col">Id</th>
              <th scope="col">Created</th>
              <th scope="col" class="num">
                Available
              </th>
              <th scope="col" class="num">
                Reserved
              </th>
            </tr>
          </thead>
          <tbody>
            {page.data.map((o) => (
              <tr key={o.id} data-org-id={o.id}>
                <td>
                  <a href={link('orgs', o.id)}>{o.name}</a>
                  {o.email && <span class="muted"> {o.email}</span>}
                </td>
                <td>
                  <Id>{o.id}</Id>
                </td>
                <td class="nowrap">{when(o.created_at)}</td>
                <td class="num">{money(o.credit_balance)}</td>
                <td class="num">{money(o.reserved_balance)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div class="button-row">
          {after.length > 0 && (
            <button type="button" class="secondary" onClick={() => setAfter(after.slice(0, -1))}>
              Previous page
            </button>
          )}
          {page.has_more && (
            <button type="button" class="secondary" onClick={() => setAfter([...after, String(page.last_id)])}>
              Next page
            </button>
          )}
        </div>
      </div>
  )
}
