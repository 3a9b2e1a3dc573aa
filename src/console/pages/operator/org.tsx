/** One org: balances, a grant or adjustment with its note (idempotent by reference), its ledger and batches. */
import { useState } from 'preact/hooks'
import { api } from '../../api'
import { useAction, useLoad } from '../../hooks'
import { link } from '../../router'
import { money, when } from '../../format'
import { ErrorNote, Field, Id, Loading, Page, Panel, Stat } from '../../components/ui'
import { LedgerTable } from '../../components/ledger-table'
import type { AdminOrg } from './orgs'

export function OrgDetail({ id }: { id: string }) {
  const [version, setVersion] = useState(0)
  const org = useLoad(() => api<AdminOrg & { delivery_webhook: { url: string | null } | null }>(`/v1/admin/orgs/${encodeURIComponent(id)}`), [id])
  const o = org.data
  return (
    <Page title={o ? o.name : `Org ${id}`} actions={<a class="button secondary" href={link('batches') + `?org=${encodeURIComponent(id)}`}>Batches of this org</a>}>
      <ErrorNote error={org.error} />
      {!o ? (
        !org.error && <Loading />
      ) : (
        <>
          <div class="stats">
            <Stat label="Available credit" value={money(o.credit_balance)} />
            <Stat label="Reserved" value={money(o.reserved_balance)} />
            <Stat label="Org" value={<Id>{o.id}</Id>} hint={`created ${when(o.created_at)}${o.email ? `, ${o.email}` : ''}`} />
          </div>
          <CreditForm
            orgId={o.id}
            onDone={() => {
              org.reload()
              setVersion(version + 1)
            }}
          />
          <Panel title="Ledger">
            <LedgerTable path={`/v1/admin/orgs/${encodeURIComponent(o.id)}/ledger`} version={version} />
          </Panel>
        </>
      )}
    </Page>
  )
}

/** Grant (positive) or adjust (negative) with a required note; the reference is fixed per form fill, so a resubmit is not a second grant. */
function CreditForm({ orgId, onDone }: { orgId: string; onDone: () => void }) {
  const [amount, setAmount] = useState('')
  const [note, setNote] = useState('')
  const [reference, setReference] = useState(() => `console-${crypto.randomUUID()}`)
  const [done, setDone] = useState<string | null>(null)
  const apply = useAction(() => api<{ entry: { kind: string; amount: string }; replayed: boolean }>(`/v1/admin/orgs/${encodeURIComponent(orgId)}/credits`, { method: 'POST', json: { amount: amount.trim(), note: note.trim(), reference: reference.trim() } }))
  const submit = async (e: Event) => {
    e.preventDefault()
    setDone(null)
    const result = await apply.run()
    if (!result) return
    setDone(`${result.replayed ? 'Already applied' : result.entry.kind === 'grant' ? 'Granted' : 'Adjusted'} ${money(result.entry.amount)}.`)
    setAmount('')
    setNote('')
    setReference(`console-${crypto.randomUUID()}`)
    onDone()
  }
  return (
    <Panel title="Grant or adjust credit">
      <form class="form-grid" onSubmit={submit}>
        <Field label="Amount (USD)" hint="Positive grants; negative adjusts down (never below zero).">
          <input type="text" inputMode="decimal" required pattern="-?\d{1,9}(\.\d{1,6})?" value={amount} onInput={(e) => setAmount(e.currentTarget.value)} placeholder="25.00" />
        </Field>
        <Field label="Note" hint="Why: shown in the ledger.">
          <input type="text" required maxLength={500} value={note} onInput={(e) => setNote(e.currentTarget.value)} placeholder="January top-up" />
        </Field>
        <Field label="Reference" hint="Idempotency reference, e.g. an invoice number: repeating it never applies twice.">
          <input type="text" required maxLength={200} value={reference} onInput={(e) => setReference(e.currentTarget.value)} />
        </Field>
        <div class="form-actions">
          <button type="submit" disabled={apply.busy}>
            Apply
          </button>
          {done && <span role="status">{done}</span>}
        </div>
      </form>
      <ErrorNote error={apply.error} />
    </Panel>
  )
}
