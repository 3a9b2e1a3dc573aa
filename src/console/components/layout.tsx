/** The frame around every signed-in view: top bar (who is signed in, sign out), navigation, main area. */
import type { ComponentChildren } from 'preact'
import type { Session } from '../session'
import { link, type Route } from '../router'

interface NavItem {
  label: string
  /** First path segment this item owns ('' = overview). */
  section: string
}

const CUSTOMER_NAV: NavItem[] = [
  { label: 'Overview', section: '' },
  { label: 'Batches', section: 'batches' },
  { label: 'New batch', section: 'new' },
  { label: 'API keys', section: 'keys' },
  { label: 'Webhooks', section: 'webhooks' },
]

const OPERATOR_NAV: NavItem[] = [
  { label: 'Overview', section: '' },
  { label: 'Orgs', section: 'orgs' },
  { label: 'Batches', section: 'batches' },
  { label: 'Ledger', section: 'ledger' },
  { label: 'Providers', section: 'providers' },
  { label: 'Catalog', section: 'catalog' },
  { label: 'Fleet', section: 'fleet' },
]

export function Layout({ session, route, onSignOut, children }: { session: Session; route: Route; onSignOut: () => void; children: ComponentChildren }) {
  const items = session.role === 'operator' ? OPERATOR_NAV : CUSTOMER_NAV
  const current = route.parts[0] ?? ''
  const skip = (e: Event) => {
    e.preventDefault()
    document.getElementById('main')?.focus()
  }
  return (
    <div class="shell">
      <a class="skip-link" href="#main" onClick={skip}>
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href={link()}>
          BatchRouter <span class="brand-sub">console</span>
        </a>
        <span class={`role role-${session.role}`}>{session.role}</span>
        <span class="who" title={`Signed in with key ${session.key_name}`}>
          <code>{session.key_start}…</code> {session.key_name}
        </span>
        <a class="topbar-link" href="/v1/docs">
          API reference
        </a>
        <button type="button" class="secondary" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <nav class="sidenav" aria-label="Console">
        <ul>
          {items.map((item) => (
            <li key={item.section}>
              <a href={link(...(item.section ? [item.section] : []))} aria-current={current === item.section ? 'page' : undefined}>
                {item.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  )
}
