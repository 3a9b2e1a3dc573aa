/** Sign-in: paste an API key; it is exchanged for an HttpOnly session cookie and forgotten by the page. */
import { useState } from 'preact/hooks'
import { signIn, type Session } from '../session'
import { useAction } from '../hooks'
import { ErrorNote, Field } from '../components/ui'

export function SignIn({ ended, onSignedIn }: { ended: boolean; onSignedIn: (session: Session) => void }) {
  const [key, setKey] = useState('')
  const action = useAction(signIn)
  const submit = async (e: Event) => {
    e.preventDefault()
    const session = await action.run(key)
    // The key leaves the page's memory as soon as it has been exchanged.
    setKey('')
    if (session) onSignedIn(session)
  }
  return (
    <main id="main" class="sign-in" tabIndex={-1}>
      <form class="card" onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">
          BatchRouter <span class="brand-sub">console</span>
        </h1>
        {ended && (
          <p class="notice" role="status">
            Your session ended (signed out, expired, or its key was revoked). Sign in again.
          </p>
        )}
        <p class="muted">
          Paste an API key. A customer key (<code>br_live_…</code>) opens your org's balance, batches and keys; an operator key (<code>br_admin_…</code>) opens the operator
          pages. The key is exchanged for a session cookie and is not stored by this page.
        </p>
        <Field label="API key">
          <input type="password" name="api_key" autoComplete="off" spellcheck={false} required value={key} onInput={(e) => setKey(e.currentTarget.value)} placeholder="br_live_…" />
        </Field>
        <ErrorNote error={action.error} />
        <button type="submit" disabled={action.busy || key.trim() === ''}>
          {action.busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  )
}
