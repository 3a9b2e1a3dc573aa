/** Signing in and out of the console: the API key goes to the server once and is exchanged for the HttpOnly session cookie. */
import { api, ApiError, setCsrfToken } from './api'

export interface Session {
  role: 'customer' | 'operator'
  key_id: string
  key_name: string
  key_start: string
  org_id: string | null
  expires_at: string
  csrf_token: string
}

/** Exchanges `apiKey` for a session; the key itself is not kept anywhere by the page. */
export async function signIn(apiKey: string): Promise<Session> {
  const session = await api<Session>('/v1/auth/session', { method: 'POST', json: { api_key: apiKey.trim() } })
  setCsrfToken(session.csrf_token)
  return session
}

/** The live session of this browser (a reloaded page), or null. */
export async function currentSession(): Promise<Session | null> {
  try {
    const session = await api<Session>('/v1/auth/session')
    setCsrfToken(session.csrf_token)
    return session
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null
    throw err
  }
}

/** Clears the session cookie; the token is forgotten whatever the server answers. */
export async function signOut(): Promise<void> {
  try {
    await api('/v1/auth/session', { method: 'DELETE' })
  } finally {
    setCsrfToken(null)
  }
}
