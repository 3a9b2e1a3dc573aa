/** TypeBox models of the console session routes (`/v1/auth/session`). */
import { t } from 'elysia'

export const SignInBody = t.Object(
  { api_key: t.String({ minLength: 1, maxLength: 200, description: 'A customer (`br_live_…`) or operator (`br_admin_…`) key. It is exchanged for the session cookie and never stored by the page.' }) },
  { additionalProperties: false, examples: [{ api_key: 'br_live_4nQ8…' }] },
)

export const SessionObject = t.Object(
  {
    object: t.Literal('console_session'),
    role: t.Union([t.Literal('customer'), t.Literal('operator')], { description: '`customer` for a br_live_ key (org pages), `operator` for a br_admin_ key (operator pages).' }),
    key_id: t.String(),
    key_name: t.String(),
    key_start: t.String({ description: 'Visible prefix of the key the session was opened with.' }),
    org_id: t.Union([t.String(), t.Null()], { description: 'The org of a customer key; null for an operator.' }),
    expires_at: t.String({ description: 'When the session ends (12 h after sign-in, sooner when the key expires first).' }),
    csrf_token: t.String({ description: 'Send it as `x-csrf-token` on every POST, PUT, PATCH and DELETE made with the cookie. Keep it in memory only.' }),
  },
  {
    examples: [
      { object: 'console_session', role: 'customer', key_id: 'key_7Hc2kPq9Lw3mXv8rTz1bYd0e', key_name: 'default', key_start: 'br_live_4nQ8', org_id: 'org_2mWq8Xc4Rt7Yb1Nk5Lp0Zs3v', expires_at: '2026-01-01T12:00:00.000Z', csrf_token: 'Qm9vc3RlZC1jc3JmLXRva2VuLWV4YW1wbGU' },
    ],
  },
)

export const SignedOutObject = t.Object({ object: t.Literal('console_session'), signed_out: t.Literal(true) }, { examples: [{ object: 'console_session', signed_out: true }] })
