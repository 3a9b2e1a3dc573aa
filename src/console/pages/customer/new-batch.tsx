/**
 * Run a batch from a JSONL file: upload it (streamed, never read into the page), get a free quote
 * that shows every candidate lane, then submit with the quote's locked rates. The create carries
 * one Idempotency-Key per quote, so a double click or a retry never makes two batches.
 */
import { useState } from 'preact/hooks'
import { api } from '../../api'
import { useAction } from '../../hooks'
import { bytes, money, when } from '../../format'
import { link, navigate } from '../../router'
import type { BatchObject, Quote } from '../../types'
import { ErrorNote, Field, Id, Page, Panel, Stat } from '../../components/ui'
import { CandidateTable } from '../../components/candidates'
import { PreflightList } from '../../components/preflight'

const ROUTING_MODES = ['cheapest', 'sla_aware', 'public_only', 'edge_only', 'hybrid', 'privacy_constrained']
const SLA_TIERS = ['standard', 'flex', 'priority']

interface Quoted {
  fileId: string
  fileName: string
  quote: Quote
  idempotencyKey: string
}

export function NewBatch() {
  const [file, setFile] = useState<File | null>(null)
  const [routingMode, setRoutingMode] = useState('cheapest')
  const [slaTier, setSlaTier] = useState('standard')
  const [quoted, setQuoted] = useState<Quoted | null>(null)
  const quoteAction = useAction(async (f: File) => {
    const uploaded = await api<{ id: string }>('/v1/files', {
      method: 'POST',
      body: f,
      headers: { 'content-type': 'application/jsonl', 'x-batchrouter-filename': encodeURIComponent(f.name), 'x-batchrouter-purpose': 'batch' },
    })
    const quote = await api<Quote>('/v1/quotes/model', { method: 'POST', json: { input_file_id: uploaded.id, routing_mode: routingMode, sla_tier: slaTier } })
    return { fileId: uploaded.id, fileName: f.name, quote, idempotencyKey: `console-${crypto.randomUUID()}` }
  })
  const submitAction = useAction((q: Quoted) =>
    api<BatchObject>('/v1/batches', {
      method: 'POST',
      json: { input_file_id: q.fileId, quote_id: q.quote.quote_id, routing_mode: q.quote.routing_mode, sla_tier: q.quote.sla_tier },
      headers: { 'idempotency-key': q.idempotencyKey },
    }),
  )
  const getQuote = async (e: Event) => {
    e.preventDefault()
    if (!file) return
    setQuoted(null)
    submitAction.clearError()
    const result = await quoteAction.run(file)
    if (result) setQuoted(result)
  }
  const submit = async () => {
    if (!quoted) return
    const batch = await submitAction.run(quoted)
    if (batch) navigate(link('batches', batch.id))
  }
  return (
    <Page title="New batch">
      <form class="form-grid" onSubmit={getQuote}>
        <Field label="JSONL file" hint="One item per line: native items or OpenAI batch request lines. Up to 200 MB and 50,000 lines.">
          <input type="file" accept=".jsonl,.ndjson,application/jsonl,application/x-ndjson" required onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
        </Field>
        <Field label="Routing mode">
          <select value={routingMode} onChange={(e) => setRoutingMode(e.currentTarget.value)}>
            {ROUTING_MODES.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </Field>
        <Field label="SLA tier" hint="standard 24 h, flex 48 h, priority 1 h.">
          <select value={slaTier} onChange={(e) => setSlaTier(e.currentTarget.value)}>
            {SLA_TIERS.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </Field>
        <div class="form-actions">
          <button type="submit" disabled={!file || quoteAction.busy}>
            {quoteAction.busy ? 'Uploading and quoting…' : 'Upload and get a quote'}
          </button>
          {file && <span class="muted">{`${file.name}, ${bytes(file.size)}`}</span>}
        </div>
      </form>
      <ErrorNote error={quoteAction.error} />
      <PreflightList error={quoteAction.error} />
      {quoted && <QuoteView quoted={quoted} onSubmit={submit} busy={submitAction.busy} />}
      <ErrorNote error={submitAction.error} />
      <PreflightList error={submitAction.error} />
    </Page>
  )
}

/** The SLA tier's part of the total, when it changes it: ", flex ×0.95 −$0.000557". */
function slaNote(q: Quote): string {
  const adj = q.pricing_estimate.sla_adjustment
  if (/^-?0\.0+$/.test(adj)) return ''
  return `, ${q.sla_tier} ×${q.sla_multiplier} ${adj.startsWith('-') ? money(adj) : `+${money(adj)}`}`
}

function QuoteView({ quoted, onSubmit, busy }: { quoted: Quoted; onSubmit: () => void; busy: boolean }) {
  const q = quoted.quote
  return (
    <Panel title="Quote">
      <p>
        <Id>{q.quote_id}</Id> for <strong>{quoted.fileName}</strong> (<Id>{quoted.fileId}</Id>): rates locked until {when(q.valid_until)}.
      </p>
      <div class="stats">
        <Stat label="Items" value={q.item_count} hint={`~${q.estimated_input_tokens} input, ≤ ${q.estimated_output_tokens} output tokens`} />
        <Stat label="Estimated total" value={money(q.pricing_estimate.total)} hint={`providers ${money(q.pricing_estimate.provider_subtotal)} + fee ${money(q.pricing_estimate.batchrouter_fee)}${slaNote(q)}`} />
        <Stat label="Available credit" value={money(q.funding_preview.available)} hint={q.funding_preview.can_fund ? 'Enough to reserve the total.' : `Short by ${money(q.funding_preview.shortfall)}.`} />
      </div>
      <p>{q.customer_explanation.summary}</p>
      <CandidateTable candidates={q.quote_lanes} caption="Quote per lane" />
      <div class="form-actions">
        <button type="button" onClick={onSubmit} disabled={busy || !q.funding_preview.can_fund}>
          {busy ? 'Submitting…' : `Submit batch (reserves ${money(q.funding_preview.reservation_amount)})`}
        </button>
      </div>
    </Panel>
  )
}
