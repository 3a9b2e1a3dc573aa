/** Which page a route shows, for each role. */
import type { Route } from './router'
import type { Session } from './session'
import { Page, Empty } from './components/ui'
import { CustomerOverview } from './pages/customer/overview'
import { BatchList } from './pages/customer/batches'
import { BatchDetail } from './pages/customer/batch'
import { NewBatch } from './pages/customer/new-batch'
import { ApiKeys } from './pages/customer/keys'
import { Webhooks } from './pages/customer/webhooks'
import { OperatorOverview } from './pages/operator/overview'
import { OrgList } from './pages/operator/orgs'
import { OrgDetail } from './pages/operator/org'
import { AllBatches } from './pages/operator/batches'
import { Ledger } from './pages/operator/ledger'
import { Providers } from './pages/operator/providers'
import { Catalog } from './pages/operator/catalog'
import { Fleet } from './pages/operator/fleet'

export function CustomerView({ route, session }: { route: Route; session: Session }) {
  const [section = '', id] = route.parts
  switch (section) {
    case '':
      return <CustomerOverview />
    case 'batches':
      return id ? <BatchDetail id={id} /> : <BatchList status={route.query.get('status') ?? ''} />
    case 'new':
      return <NewBatch />
    case 'keys':
      return <ApiKeys session={session} />
    case 'webhooks':
      return <Webhooks />
    default:
      return <NotFound />
  }
}

export function OperatorView({ route }: { route: Route }) {
  const [section = '', id] = route.parts
  switch (section) {
    case '':
      return <OperatorOverview />
    case 'orgs':
      return id ? <OrgDetail id={id} /> : <OrgList />
    case 'batches':
      return <AllBatches orgId={route.query.get('org') ?? ''} status={route.query.get('status') ?? ''} />
    case 'ledger':
      return <Ledger orgId={route.query.get('org') ?? ''} />
    case 'providers':
      return <Providers />
    case 'catalog':
      return <Catalog />
    case 'fleet':
      return <Fleet />
    default:
      return <NotFound />
  }
}

function NotFound() {
  return (
    <Page title="Not found">
      <Empty>There is no such page. Pick one from the navigation.</Empty>
    </Page>
  )
}
