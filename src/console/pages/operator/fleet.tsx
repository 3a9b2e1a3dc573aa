/** The fleet: edge nodes (status, health, capacity, counters; drain and revoke) and join tokens (mint one, shown once; revoke). */
import { useState } from 'preact/hooks'
import { api } from '../../api'
import { useAction, useLoad } from '../../hooks'
import { when } from '../../format'
import { Empty, ErrorNote, Field, Id, Loading, Page, Panel, ShownOnce, StatusBadge } from '../../components/ui'

export interface FleetNode {
  node_id: string
  name: string
  trust_tier: 'standard' | 'restricted'
  regions: string[]
  status: 'online' | 'offline' | 'draining' | 'revoked'
  version: string
  offerings: Array<{ model: string; served_model?: string }>
  capacity: { concurrent_items: number }
  in_flight: number
  upstream_health: string
  last_heartbeat_at: string
  completed_items: number
  failed_items: number
}

export interface JoinToken {
  token_id: string
  name: string | null
  trust_tier: string
  regions: string[]
  expires_at: string
  max_uses: number
  uses: number
  revoked_at: string | null
}

export function Fleet() {
  const nodes = useLoad(() => api<{ data: FleetNode[] }>('/v1/admin/fleet/nodes'), [], { pollMs: 5000 })
  const tokens = useLoad(() => api<{ data: JoinToken[] }>('/v1/admin/fleet/join-tokens'), [])
  const act = useAction((path: string, method: 'POST' | 'DELETE') => api(path, { method }))
  const run = async (path: string, method: 'POST' | 'DELETE') => {
    if (await act.run(path, method)) {
      nodes.reload()
      tokens.reload()
    }
  }
  return (
    <Page title="Fleet">
      <p class="muted">Edge nodes pull leased work from this router. A node silent for 3 heartbeats goes offline and its leases go back to the queue; restricted work runs only on nodes enrolled restricted.</p>
      <ErrorNote error={act.error} />
      <Panel title="Nodes">
        <ErrorNote error={nodes.error} />
        {!nodes.data ? !nodes.error && <Loading /> : nodes.data.data.length === 0 ? <Empty>No node has joined yet: mint a join token below and start `batchrouter edge` next to a model server.</Empty> : <NodeTable nodes={nodes.data.data} busy={act.busy} run={run} />}
      </Panel>
      <MintToken onMinted={tokens.reload} />
      <Panel title="Join tokens">
        <ErrorNote error={tokens.error} />
        {!tokens.data ? !tokens.error && <Loading /> : <TokenTable tokens={tokens.data.data} busy={act.busy} run={run} />}
      </Panel>
    </Page>
  )
}

type Run = (path: string, method: 'POST' | 'DELETE') => void

function NodeTable({ nodes, busy, run }: { nodes: FleetNode[]; busy: boolean; run: Run }) {
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">Edge nodes</caption>
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">Status</th>
            <th scope="col">Trust</th>
            <th scope="col">Regions</th>
            <th scope="col">Models</th>
            <th scope="col">Upstream</th>
            <th scope="col" class="num">In flight / capacity</th>
            <th scope="col" class="num">Done</th>
            <th scope="col" class="num">Failed</th>
            <th scope="col">Last heartbeat</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {nodes.map((n) => (
            <tr key={n.node_id} data-node-id={n.node_id}>
              <td>
                <strong>{n.name}</strong> <Id>{n.node_id}</Id>
              </td>
              <td>
                <StatusBadge status={n.status} />
              </td>
              <td>{n.trust_tier}</td>
              <td>{n.regions.join(', ')}</td>
              <td>{n.offerings.map((o) => o.model).join(', ')}</td>
              <td>
                <StatusBadge status={`upstream_${n.upstream_health}`} />
              </td>
              <td class="num">
                {n.in_flight} / {n.capacity.concurrent_items}
              </td>
              <td class="num">{n.completed_items}</td>
              <td class="num">{n.failed_items}</td>
              <td class="nowrap">{when(n.last_heartbeat_at)}</td>
              <td class="nowrap">
                {n.status !== 'revoked' && n.status !== 'draining' && (
                  <button type="button" class="secondary" disabled={busy} onClick={() => run(`/v1/admin/fleet/nodes/${n.node_id}/drain`, 'POST')}>
                    Drain
                  </button>
                )}{' '}
                {n.status !== 'revoked' && (
                  <button type="button" class="danger" disabled={busy} onClick={() => confirm(`Revoke ${n.name}? Its token is refused at once and its leases go back to the queue.`) && run(`/v1/admin/fleet/nodes/${n.node_id}`, 'DELETE')}>
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

function MintToken({ onMinted }: { onMinted: () => void }) {
  const [form, setForm] = useState({ trust: 'restricted', regions: '', ttl: '3600' })
  const [minted, setMinted] = useState<string | null>(null)
  const mint = useAction(() => api<{ join_token: string }>('/v1/admin/fleet/join-tokens', { method: 'POST', json: { trust_tier: form.trust, regions: form.regions.split(',').map((r) => r.trim()).filter(Boolean), ttl_seconds: Number(form.ttl) } }))
  const onSubmit = async (e: Event) => {
    e.preventDefault()
    const result = await mint.run()
    if (result) {
      setMinted(result.join_token)
      onMinted()
    }
  }
  return (
    <Panel title="Mint a join token">
      <form class="form-grid" onSubmit={onSubmit}>
        <Field label="Trust tier">
          <select value={form.trust} onChange={(e) => setForm({ ...form, trust: e.currentTarget.value })}>
            <option value="restricted">restricted</option>
            <option value="standard">standard</option>
          </select>
        </Field>
        <Field label="Regions" hint="Comma separated, e.g. eu-west-1.">
          <input type="text" required value={form.regions} onInput={(e) => setForm({ ...form, regions: e.currentTarget.value })} />
        </Field>
        <Field label="Valid for (seconds)" hint="60 to 604800.">
          <input type="number" min={60} max={604800} required value={form.ttl} onInput={(e) => setForm({ ...form, ttl: e.currentTarget.value })} />
        </Field>
        <div class="form-actions">
          <button type="submit" disabled={mint.busy}>
            Mint token
          </button>
        </div>
      </form>
      <ErrorNote error={mint.error} />
      {minted && <ShownOnce label="Join token: pass it to `batchrouter edge --join-token` once." secret={minted} />}
    </Panel>
  )
}

function TokenTable({ tokens, busy, run }: { tokens: JoinToken[]; busy: boolean; run: Run }) {
  if (tokens.length === 0) return <Empty>No join tokens yet.</Empty>
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">Join tokens</caption>
        <thead>
          <tr>
            <th scope="col">Token</th>
            <th scope="col">Trust</th>
            <th scope="col">Regions</th>
            <th scope="col" class="num">Uses</th>
            <th scope="col">Expires</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((t) => (
            <tr key={t.token_id} data-token-id={t.token_id}>
              <td>
                <Id>{t.token_id}</Id>
              </td>
              <td>{t.trust_tier}</td>
              <td>{t.regions.join(', ')}</td>
              <td class="num">
                {t.uses} / {t.max_uses}
              </td>
              <td class="nowrap">{when(t.expires_at)}</td>
              <td>
                {t.revoked_at ? (
                  <StatusBadge status="revoked" />
                ) : (
                  <button type="button" class="secondary" disabled={busy} onClick={() => run(`/v1/admin/fleet/join-tokens/${t.token_id}`, 'DELETE')}>
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
