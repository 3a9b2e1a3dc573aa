/**
 * Table-driven route scenarios (PocketBase's ApiScenario): each row is one request and what must
 * come back. `runScenarios` turns a table into `it` blocks against a TestApp.
 */
import { expect, it } from 'bun:test'
import { json, type TestApp } from '../helpers/test-app'

export type JsonResponse = { status: number; body: any; headers: Headers }

export interface Scenario<C> {
  /** Behaviour in words, with status and code where they matter. */
  name: string
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  path: string | ((ctx: C) => string)
  /** Authorization header value; null sends none. */
  auth: (ctx: C) => string | null
  /** JSON body (encoded), or a function of the context. */
  body?: unknown
  /** A raw body sent as-is with `content-type: application/json`. */
  rawBody?: string
  expect: { status: number; code?: string; param?: string | null }
  /** Further assertions on the response. */
  check?: (res: JsonResponse, ctx: C) => void | Promise<void>
}

/** Registers one `it` per scenario; `context` builds fresh fixtures for each. */
export function runScenarios<C>(app: () => TestApp, context: (app: TestApp) => C | Promise<C>, scenarios: Scenario<C>[]): void {
  for (const s of scenarios) {
    it(s.name, async () => {
      const ctx = await context(app())
      const headers: Record<string, string> = {}
      const authorization = s.auth(ctx)
      if (authorization !== null) headers.authorization = authorization
      const payload = typeof s.body === 'function' ? (s.body as (c: C) => unknown)(ctx) : s.body
      const body = s.rawBody ?? (payload === undefined ? undefined : JSON.stringify(payload))
      if (body !== undefined) headers['content-type'] = 'application/json'
      const path = typeof s.path === 'function' ? s.path(ctx) : s.path
      const res = await json(app().request(path, { method: s.method ?? 'GET', headers, body }))
      expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status: s.expect.status, code: s.expect.code })
      if (s.expect.param !== undefined) expect(res.body.error.param).toBe(s.expect.param)
      if (res.status >= 400) expect(res.body.error.request_id).toBe(res.headers.get('x-request-id'))
      await s.check?.(res, ctx)
    })
  }
}

/** `Bearer <key>`. */
export const bearer = (key: string) => `Bearer ${key}`
