/** The customer's home: balances, spend per day (uPlot) and the latest batches with live progress. */
import { api } from '../../api'
import { useLoad } from '../../hooks'
import { link } from '../../router'
import { isTerminal, money } from '../../format'
import type { Account, BatchObject, List, Spend } from '../../types'
import { Empty, ErrorNote, Loading, Page, Panel, Stat } from '../../components/ui'
import { SpendChart } from '../../components/spend-chart'
import { BatchTable } from '../../components/batch-table'

export function CustomerOverview() {
  const account = useLoad(() => api<Account>('/v1/auth/account'), [])
  const spend = useLoad(() => api<Spend>('/v1/auth/account/spend?days=30'), [])
  const recent = useLoad(() => api<List<BatchObject>>('/v1/batches?limit=5'), [], { pollMs: 2000, keepPolling: (l) => l.data.some((b) => !isTerminal(b.batch.status)) })
  return (
    <Page title={account.data ? account.data.name : 'Overview'} actions={<a class="button" href={link('new')}>New batch</a>}>
      <ErrorNote error={account.error} />
      {account.data && (
        <div class="stats">
          <Stat label="Available credit" value={money(account.data.credit_balance)} hint="What new batches can reserve now." />
          <Stat label="Reserved" value={money(account.data.reserved_balance)} hint="Held by running batches until they settle." />
          <Stat label="Spent, last 30 days" value={spend.data ? money(spend.data.total) : '…'} hint="Charged at settlement, per UTC day below." />
        </div>
      )}
      <Panel title="Spend per day">
        <ErrorNote error={spend.error} />
        {spend.data ? <SpendChart spend={spend.data} /> : !spend.error && <Loading />}
      </Panel>
      <Panel title="Latest batches">
        <ErrorNote error={recent.error} />
        {recent.data === undefined ? (
          !recent.error && <Loading />
        ) : recent.data.data.length === 0 ? (
          <Empty>
            No batches yet. <a href={link('new')}>Upload a JSONL file</a> to get a quote and run one.
          </Empty>
        ) : (
          <>
            <BatchTable batches={recent.data.data} caption="Latest batches" />
            <p>
              <a href={link('batches')}>All batches →</a>
            </p>
          </>
        )}
      </Panel>
    </Page>
  )
}
