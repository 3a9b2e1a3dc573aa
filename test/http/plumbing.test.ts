import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { json, startTestApp, type TestApp } from '../helpers/test-app'

let app: TestApp
beforeAll(async () => {
  app = await startTestApp()
})
afterAll(() => app.close())

describe('HTTP plumbing', () => {
  it('answers /healthz and /readyz', async () => {
    expect((await json(app.request('/healthz'))).body).toEqual({ status: 'ok' })
    const ready = await json(app.request('/readyz'))
    expect(ready.status).toBe(200)
    expect(ready.body.checks).toMatchObject({ database: true, migrations: true, scheduler: true, disk: true })
  })

  it('puts a req_ request id on every response, errors included', async () => {
    for (const path of ['/healthz', '/nope', '/v1/nope']) {
      const res = await app.request(path)
      expect(res.headers.get('x-request-id')).toMatch(/^req_[0-9A-Za-z]{24}$/)
    }
  })

  it('answers 404 not_found with a base-URL hint for paths outside /v1', async () => {
    const { status, body, headers } = await json(app.request('/batches'))
    expect(status).toBe(404)
    expect(body.error).toMatchObject({ code: 'not_found', type: 'not_found_error' })
    expect(body.error.message).toContain('/v1')
    expect(body.error.request_id).toBe(headers.get('x-request-id'))
  })

  it('answers 405 method_not_allowed with the allowed methods', async () => {
    const { status, body, headers } = await json(app.request('/healthz', { method: 'DELETE' }))
    expect(status).toBe(405)
    expect(body.error.code).toBe('method_not_allowed')
    expect(headers.get('allow')).toBe('GET')
  })
})

describe('405 on routes mounted with a trailing slash', () => {
  it('answers 405 for PUT /v1/batches (registered as /v1/batches/)', async () => {
    const { status, body, headers } = await json(app.request('/v1/batches', { method: 'PUT' }))
    expect(status).toBe(405)
    expect(body.error.code).toBe('method_not_allowed')
    expect(headers.get('allow')).toContain('POST')
  })
})
