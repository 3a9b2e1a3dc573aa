/** The console's entry: find the session (or ask for a key), then show the customer or operator views. */
import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { onSessionEnded, setCsrfToken } from './api'
import { currentSession, signOut, type Session } from './session'
import { navigate, useRoute } from './router'
import { Layout } from './components/layout'
import { Loading } from './components/ui'
import { SignIn } from './pages/sign-in'
import { CustomerView, OperatorView } from './views'

function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined)
  const [ended, setEnded] = useState(false)
  const route = useRoute()
  useEffect(() => {
    onSessionEnded(() => {
      setCsrfToken(null)
      setSession(null)
      setEnded(true)
    })
    currentSession().then(setSession, () => setSession(null))
  }, [])
  if (session === undefined) return <Loading what="Opening the console" />
  if (session === null) {
    const signedIn = (s: Session) => {
      setEnded(false)
      setSession(s)
    }
    return <SignIn ended={ended} onSignedIn={signedIn} />
  }
  const leave = async () => {
    await signOut().catch(() => undefined)
    setSession(null)
    setEnded(false)
    navigate('#/')
  }
  return (
    <Layout session={session} route={route} onSignOut={leave}>
      {session.role === 'operator' ? <OperatorView route={route} /> : <CustomerView route={route} session={session} />}
    </Layout>
  )
}

// The console never runs inside another site's frame (clickjacking): it shows a link out instead.
if (window.top !== window.self) {
  document.getElementById('app')!.innerHTML = '<p>The BatchRouter console cannot be shown inside a frame. <a href="/console" target="_top">Open it directly</a>.</p>'
} else {
  render(<App />, document.getElementById('app')!)
}
