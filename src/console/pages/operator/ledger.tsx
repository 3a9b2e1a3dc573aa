/** The ledger of one org, picked from the list of orgs: every grant, adjustment (with its note), reservation and charge. */
import { api } from '../../api'
import { useLoad } from '../../hooks'
import { link, navigate } from '../../router'
import type { List } from '../../types'
import { ErrorNote, Field, Loading, Page, Panel } from '../../components/ui'
import { LedgerTable } from '../../components/ledger-table'
import type { AdminOrg } from './orgs'

export function Ledger({ orgId }: { orgId: string }) {
  const orgs = useLoad(() => api<List<AdminOrg>>('/v1/admin/orgs?limit=100'), [])
  const chosen = orgs.data?.data.find((o) => o.id === orgId)
  return (
    <Page title="Ledger">
      <ErrorNote error={orgs.error} />
      {!orgs.data ? (
        !orgs.error && <Loading />
      ) : (
        <form class="filters" onSubmit={(e) => e.preventDefault()}>
          <Field label="Org" hint={orgs.data.has_more ? 'The 100 newest orgs; open any other from Orgs.' : undefined}>
            <select value={orgId} onChange={(e) => navigate(`#/ledger?org=${encodeURIComponent(e.currentTarget.value)}`)}>
              <option value="">Choose an org…</option>
              {orgs.data.data.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name} ({o.id})
                </option>
              ))}
            </select>
          </Field>
        </form>
      )}
      {orgId && (
        <Panel title={chosen ? `Ledger of ${chosen.name}` : `Ledger of ${orgId}`}>
          <p>
            <a href={link('orgs', orgId)}>Grant or adjust credit for this org →</a>
          </p>
          <LedgerTable path={`/v1/admin/orgs/${encodeURIComponent(orgId)}/ledger`} />
        </Panel>
      )}
    </Page>
  )
}
