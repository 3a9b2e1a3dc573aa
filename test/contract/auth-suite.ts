/**
 * The shared auth contract suite (contract §0, §9; style "every protected route runs the shared
 * auth suite"). `runAuthSuite` registers a describe block that checks one protected route:
 *
 * - no Authorization, malformed credentials, an unknown well-formed key, a revoked key and an
 *   expired key all answer 401 `unauthorized` with one and the same message;
 * - authentication is decided before the body is validated;
 * - `/v1/admin/*` with a customer key answers 403 `forbidden`; a customer route with an admin key too;
 * - for a customer route on an object (`path` is a factory), another org's key answers 404 `not_found`
 *   while the owner is let through;
 * - a correct key is let through (not 401/403), so the suite cannot pass vacuously.
 *
 * Usage (files, batches, quotes… add theirs the same way):
 *   runAuthSuite('GET /v1/files/{id}', { method: 'GET', path: async (app, org) => `/v1/files/${await uploadFile(app, org)}` })
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { eq } from 'drizzle-orm'
import { json, startTestApp, type TestApp, type TestAppOptions } from '../helpers/test-app'
import { apiKeysTable, insertApiKey } from '../../src/features/api-keys'
import { randomBase62 } from '../../src/lib/ids'

/** An org as the suite hands it to factories: its id and a working customer key. */
export interface SuiteOrg {
  orgId: string
  key: string
  keyId: string
  auth: Record<string, string>
}

export interface AuthSuiteOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /**
   * A fixed path, or — for routes on one object — a factory that creates an object owned by
   * `org` and returns its path. Called once per check that needs an object.
   */
  path: string | ((app: TestApp, org: SuiteOrg) => string | Promise<string>)
  /** A body a valid caller could send (JSON), or a factory for one. */
  body?: unknown | ((app: TestApp, org: SuiteOrg) => unknown)
  /** Extra headers sent with every request (e.g. `Idempotency-Key`). */
  headers?: Record<string, string>
  /** Operator route? Default: the path starts with `/v1/admin`. */
  admin?: boolean
  /** Runs once after the app has started. */
  setup?: (app: TestApp) => void | Promise<void>
  /** Share an app the caller started (and closes); by default the suite starts and closes its own. */
  app?: () => TestApp
  /** Options for the suite's own app. */
  appOptions?: TestAppOptions
}

/** The credentials every route must refuse with 401, beyond "no header at all". */
export function malformedAuthorizations(): string[] {
  return [
    'Bearer nope',
    'Basic x',
    'Bearer',
    'Bearer ',
    'br_live_' + randomBase62(40),
    'Bearer br_live_short',
    'Bearer sk-' + randomBase62(40),
    'Bearer br_live_' + randomBase62(40) + ' extra',
    'Token br_live_' + randomBase62(40),
  ]
}

/** Registers the auth contract checks for one protected route. */
export function runAuthSuite(describeName: string, opts: AuthSuiteOptions): void {
  describe(`${describeName} — auth contract`, () => {
    let own: TestApp | undefined
    const app = () => opts.app?.() ?? own!
    const isAdmin = opts.admin ?? (typeof opts.path === 'string' ? opts.path.startsWith('/v1/admin') : false)
    const isObjectRoute = typeof opts.path === 'function'
    const hasBody = opts.method !== 'GET' && opts.method !== 'DELETE'

    beforeAll(async () => {
      if (!opts.app) own = await startTestApp(opts.appOptions)
      await opts.setup?.(app())
    })
    afterAll(async () => {
      await own?.close()
    })

    const pathFor = async (org: SuiteOrg) => (typeof opts.path === 'function' ? opts.path(app(), org) : opts.path)
    const bodyFor = (org: SuiteOrg) => (typeof opts.body === 'function' ? (opts.body as (a: TestApp, o: SuiteOrg) => unknown)(app(), org) : opts.body)
    /** Sends the route's request as `org` (for the path and body) with the given Authorization. */
    const send = async (org: SuiteOrg, authorization: string | null, body?: unknown) => {
      const headers: Record<string, string> = { ...opts.headers }
      if (authorization !== null) headers.authorization = authorization
      const payload = body ?? (hasBody ? bodyFor(org) : undefined)
      if (payload !== undefined) headers['content-type'] = 'application/json'
      return json(app().request(await pathFor(org), { method: opts.method, headers, body: payload === undefined ? undefined : JSON.stringify(payload) }))
    }
    const adminKey = () => app().adminKey()
    /** The key kind the route wants: an admin key for operator routes, else the org's key. */
    const rightKey = (org: SuiteOrg) => (isAdmin ? adminKey() : org.key)
    const messages: string[] = []
    const expect401 = (res: { status: number; body: any; headers: Headers }, label: string) => {
      expect({ label, status: res.status, code: res.body?.error?.code }).toEqual({ label, status: 401, code: 'unauthorized' })
      expect(res.body.error).toMatchObject({ type: 'authentication_error', param: null })
      expect(res.body.error.request_id).toBe(res.headers.get('x-request-id'))
      messages.push(res.body.error.message)
    }

    it('answers 401 unauthorized without an Authorization header', async () => {
      expect401(await send(app().newOrg(), null), 'no header')
    })

    it('answers 401 unauthorized for malformed credentials', async () => {
      const org = app().newOrg()
      for (const authorization of malformedAuthorizations()) expect401(await send(org, authorization), authorization)
    })

    it('answers 401 unauthorized for an unknown well-formed key', async () => {
      const org = app().newOrg()
      for (const secret of ['br_live_' + randomBase62(40), 'ob_live_' + randomBase62(40), 'br_admin_' + randomBase62(40)]) expect401(await send(org, `Bearer ${secret}`), secret.slice(0, 9))
    })

    it('answers 401 unauthorized for a revoked key', async () => {
      const org = app().newOrg()
      const key = insertApiKey(app().deps, { orgId: isAdmin ? null : org.orgId, kind: isAdmin ? 'admin' : 'live', name: 'to revoke' })
      app().deps.db.update(apiKeysTable).set({ revokedAt: app().deps.clock.now() - 1 }).where(eq(apiKeysTable.id, key.id)).run()
      expect401(await send(org, `Bearer ${key.secret}`), 'revoked')
    })

    it('answers 401 unauthorized for an expired key', async () => {
      const org = app().newOrg()
      const key = insertApiKey(app().deps, { orgId: isAdmin ? null : org.orgId, kind: isAdmin ? 'admin' : 'live', name: 'expired', expiresAt: app().deps.clock.now() - 1000 })
      expect401(await send(org, `Bearer ${key.secret}`), 'expired')
    })

    if (hasBody) {
      it('answers 401 before looking at the body', async () => {
        const org = app().newOrg()
        expect401(await send(org, null, { __not_a_field__: [1, 2, 3] }), 'invalid body')
      })
    }

    it('gives every 401 the same message', () => {
      expect(messages.length).toBeGreaterThan(10)
      expect(new Set(messages).size).toBe(1)
    })

    if (isAdmin) {
      it('answers 403 forbidden with a customer key', async () => {
        const org = app().newOrg()
        const res = await send(org, `Bearer ${org.key}`)
        expect({ status: res.status, code: res.body?.error?.code, type: res.body?.error?.type }).toEqual({ status: 403, code: 'forbidden', type: 'permission_error' })
      })
    } else {
      it('answers 403 forbidden with an admin key', async () => {
        const res = await send(app().newOrg(), `Bearer ${adminKey()}`)
        expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status: 403, code: 'forbidden' })
      })
    }

    if (isObjectRoute && !isAdmin) {
      it("answers 404 not_found for another org's object", async () => {
        const owner = app().newOrg()
        const other = app().newOrg()
        const path = await pathFor(owner)
        const headers: Record<string, string> = { ...opts.headers, authorization: `Bearer ${other.key}` }
        const payload = hasBody ? bodyFor(owner) : undefined
        if (payload !== undefined) headers['content-type'] = 'application/json'
        const res = await json(app().request(path, { method: opts.method, headers, body: payload === undefined ? undefined : JSON.stringify(payload) }))
        expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status: 404, code: 'not_found' })
      })
    }

    it('lets a correct key through (not 401, 403 or 404)', async () => {
      const org = app().newOrg()
      const res = await send(org, `Bearer ${rightKey(org)}`)
      expect([401, 403, 404]).not.toContain(res.status)
    })
  })
}
