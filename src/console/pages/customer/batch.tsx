/** One batch: live progress, lanes, downloads, results preview, both receipts, webhook deliveries, cancel. */
import { api } from '../../api'
import { useAction, useLoad } from '../../hooks'
import { duration, isTerminal, money, when } from '../../format'
import type { BatchObject } from '../../types'
import { ErrorNote, Id, Loading, Page, Panel, ProgressBar, Stat, StatusBadge } from '../../components/ui'
import { Downloads, LaneTable, ResultsPreview } from './batch-sections'
import { BillingReceiptPanel, DeliveriesPanel, RoutingReceiptPanel } from './batch-receipts'

export function BatchDetail({ id }: { id: string }) {
  const batch = useLoad(() => api<BatchObject>(`/v1/batches/${encodeURIComponent(id)}`), [id], { pollMs: 1500, keepPolling: (b) => !isTerminal(b.batch.status) })
  const cancel = useAction(() => api<BatchObject>(`/v1/batches/${encodeURIComponent(id)}/cancel`, { method: 'POST' }))
  const b = batch.data?.batch
  const onCancel = async () => {
    if (!confirm(`Cancel ${id}? Finished items are kept; the rest stop and unspent credit is released.`)) return
    if (await cancel.run()) batch.reload()
  }
  const cancellable = b !== undefined && !isTerminal(b.status) && batch.data?.status !== 'cancelling'
  return (
    <Page
      title={`Batch ${id}`}
      actions={
        cancellable && (
          <button type="button" class="danger" onClick={onCancel} disabled={cancel.busy}>
            {cancel.busy ? 'Cancelling…' : 'Cancel batch'}
          </button>
        )
      }
    >
      <ErrorNote error={batch.error ?? cancel.error} />
      {!b ? (
        !batch.error && <Loading />
      ) : (
        <>
          <div class="batch-status">
            <StatusBadge status={batch.data!.status === 'cancelling' ? 'cancelling' : b.status} />
            <ProgressBar fraction={b.progress} label="Batch progress" detail={`${b.counts.completed} of ${b.item_count} items done`} />
          </div>
          <div class="stats">
            <Stat label="Items" value={`${b.counts.completed} done · ${b.counts.failed + b.counts.cancelled} failed · ${b.item_count} total`} hint={`${b.counts.pending} waiting, ${b.counts.running} running`} />
            <Stat label="Cost so far" value={money(b.cost_so_far.amount)} hint={`Quoted ${money(b.pricing_estimate.total)} (reserved)`} />
            <Stat label="SLA" value={b.sla_tier} hint={`Deadline ${when(b.sla_deadline)}`} />
            <Stat label="Routing" value={b.routing_mode} hint={`Privacy tier ${b.privacy_tier}`} />
          </div>
          <dl class="facts">
            <dt>Created</dt>
            <dd>{when(b.created_at)}</dd>
            <dt>Finished</dt>
            <dd>{when(b.completed_at)}</dd>
            <dt>Quote</dt>
            <dd>{b.quote_id ? <Id>{b.quote_id}</Id> : 'none (priced at create)'}</dd>
            <dt>Time left</dt>
            <dd>{isTerminal(b.status) ? '—' : duration(Math.max(0, (Date.parse(b.sla_deadline) - Date.now()) / 1000))}</dd>
          </dl>
          <Panel title="Lanes">
            <LaneTable lanes={b.lanes} />
          </Panel>
          <Panel title="Downloads">
            <Downloads batch={batch.data!} />
          </Panel>
          <Panel title="Results preview">
            <ResultsPreview id={id} done={b.counts.completed + b.counts.failed} />
          </Panel>
          <RoutingReceiptPanel id={id} status={b.status} />
          <BillingReceiptPanel id={id} status={b.status} />
          <DeliveriesPanel id={id} status={b.status} />
        </>
      )}
    </Page>
  )
}
