/** The org's API keys: create one (its secret shown once), see when each was used, revoke. */
import { useState } from 'preact/hooks'
import { api } from '../../api'
import { useAction, useLoad } from '../../hooks'
import { when } from '../../format'
import type { ApiKey, List } from '../../types'
import type { Session } from '../../session'
import { ErrorNote, Field, Loading, Page, Panel, ShownOnce, StatusBadge } from '../../components/ui'

interface NewKey {
  api_key: string
  api_key_id: string
  name: string
}

export function ApiKeys({ session }: { session: Session }) {
  const keys = useLoad(() => api<List<ApiKey>>('/v1/auth/account/api-keys'), [])
  const [name, setName] = useState('')
  const [created, setCreated] = useState<NewKey | null>(null)
  const create = useAction((keyName: string) => api<NewKey>('/v1/auth/account/api-keys', { method: 'POST', json: keyName ? { name: keyName } : {} }))
  const revoke = useAction((id: string) => api<ApiKey>(`/v1/auth/account/api-keys/${encodeURIComponent(id)}`, { method: 'DELETE' }))
  const onCreate = async (e: Event) => {
    e.preventDefault()
    const key = await create.run(name.trim())
    if (key) {
      setCreated(key)
      setName('')
      keys.reload()
    }
  }
  const onRevoke = async (key: ApiKey) => {
    const own = key.id === session.key_id ? ' This is the key you signed in with: the console will sign you out.' : ''
    if (!confirm(`Revoke ${key.name} (${key.start}…)? Requests with it fail from now on.${own}`)) return
    if (await revoke.run(key.id)) keys.reload()
  }
  return (
    <Page title="API keys">
      <Panel title="Create a key">
        <form class="inline-form" onSubmit={onCreate}>
          <Field label="Key name">
            <input type="text" value={name} maxLength={200} onInput={(e) => setName(e.currentTarget.value)} placeholder="e.g. ci-pipeline" />
          </Field>
          <button type="submit" disabled={create.busy}>
            {create.busy ? 'Creating…' : 'Create key'}
          </button>
        </form>
        <ErrorNote error={create.error} />
        {created && <ShownOnce label={`New key "${created.name}".`} secret={created.api_key} />}
      </Panel>
      <Panel title="Keys">
        <ErrorNote error={keys.error ?? revoke.error} />
        {!keys.data ? (
          !keys.error && <Loading />
        ) : (
          <KeyRows keys={keys.data.data} sessionKeyId={session.key_id} onRevoke={onRevoke} />
        )}
      </Panel>
    </Page>
  )
}

/** The key table; the key this session signed in with is marked. */
function KeyRows({ keys, sessionKeyId, onRevoke }: { keys: ApiKey[]; sessionKeyId: string; onRevoke: (key: ApiKey) => void }) {
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Key</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Expires</th>
            <th scope="col">State</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k.id} data-key-id={k.id}>
              <td>
                {k.name}
                {k.id === sessionKeyId && <span class="muted"> (this session)</span>}
              </td>
              <td>
                <code>{k.start}…</code>
              </td>
              <td class="nowrap">{when(k.created_at)}</td>
              <td class="nowrap">{when(k.last_used_at)}</td>
              <td>{k.expires_at ? when(k.expires_at) : 'never'}</td>
              <td>
                <StatusBadge status={k.revoked_at ? 'revoked' : k.expires_at && Date.parse(k.expires_at) <= Date.now() ? 'expired' : 'active'} />
              </td>
              <td>
                {!k.revoked_at && (
                  <button type="button" class="danger small" onClick={() => onRevoke(k)} aria-label={`Revoke ${k.name} (${k.start}…)`}>
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
