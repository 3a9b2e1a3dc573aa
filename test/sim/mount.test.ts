import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { Elysia, t } from 'elysia'
import type { Deps } from '../../src/deps'
import { createHttpBase } from '../../src/http/server'
import { createLog } from '../../src/lib/log'
import { SIM_UPSTREAM_PREFIX, simulatorRoutes } from '../../src/sim/mount'

const chatBody = JSON.stringify({ model: 'llama-3.1-8b-instruct', messages: [{ role: 'user', content: 'mounted?' }] })

/** The HTTP plumbing alone (no features), with the simulator mounted the way demo mode does. */
function plumbingWithSim() {
  const deps = { log: createLog('silent') } as unknown as Deps
  return createHttpBase(deps)
    .use(new Elysia().post('/v1/echo', ({ body }) => body, { body: t.Object({ n: t.Integer() }) }))
    .use(simulatorRoutes())
}

describe('simulatorRoutes on the HTTP plumbing', () => {
  const app = plumbingWithSim()
  const req = (path: string, init?: RequestInit) => app.handle(new Request(`http://local${path}`, init))

  it('serves the wire endpoints under /_sim/upstream/v1 from the raw body', async () => {
    const res = await req(`${SIM_UPSTREAM_PREFIX}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chatBody })
    expect(res.status).toBe(200)
    expect(((await res.json()) as any).choices[0].message.content).toBe('Simulated reply to: mounted?')
  })

  it('serves the control surface from the same instance', async () => {
    const stats = (await (await req('/_sim/stats')).json()) as any
    expect(stats.by_path).toEqual({ [`${SIM_UPSTREAM_PREFIX}/v1/chat/completions`]: 1 })
    expect((await req('/_sim/scenario', { method: 'PUT', body: JSON.stringify({ global: { fail_rate: 1 } }) })).status).toBe(200)
    expect((await req(`${SIM_UPSTREAM_PREFIX}/v1/chat/completions`, { method: 'POST', body: chatBody })).status).toBe(500)
    expect((await req('/_sim/reset', { method: 'POST' })).status).toBe(200)
  })

  it('leaves the app envelope for unknown routes, 405s and validation outside /_sim', async () => {
    const missing = await req('/v1/nope')
    expect(missing.status).toBe(404)
    expect(((await missing.json()) as any).error).toMatchObject({ code: 'not_found', type: 'not_found_error' })
    const wrongMethod = await req('/v1/echo')
    expect(wrongMethod.status).toBe(405)
    const invalid = await req('/v1/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n: 'x' }) })
    expect(invalid.status).toBe(400)
    expect(((await invalid.json()) as any).error.code).toBe('validation_failed')
  })

  it('answers unknown /_sim paths itself with the OpenAI envelope', async () => {
    const res = await req('/_sim/upstream/v2/whatever')
    expect(res.status).toBe(404)
    expect(((await res.json()) as any).error).toMatchObject({ type: 'not_found_error', code: 'unknown_url' })
  })
})

describe('demo mode mounts the simulator in the real app', () => {
  // Imported lazily so the suites above still run while the feature tree is mid-change.
  let app: Awaited<ReturnType<typeof import('../helpers/test-app').startTestApp>>
  beforeAll(async () => {
    const { startTestApp } = await import('../helpers/test-app')
    app = await startTestApp({ config: { demo: true }, scheduler: false })
  })
  afterAll(() => app?.close())

  it('answers POST /_sim/upstream/v1/chat/completions and counts it in /_sim/stats', async () => {
    const res = await fetch(`${app.url}${SIM_UPSTREAM_PREFIX}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-batchrouter-item-id': 'item_demo' }, body: chatBody })
    expect(res.status).toBe(200)
    expect(((await res.json()) as any).object).toBe('chat.completion')
    const stats = (await (await fetch(`${app.url}/_sim/stats`)).json()) as any
    expect(stats.total).toBe(1)
    expect(stats.by_custom_id).toEqual({ item_demo: 1 })
  })

  it('does not mount the simulator outside demo mode', async () => {
    const { startTestApp } = await import('../helpers/test-app')
    const plain = await startTestApp({ scheduler: false })
    try {
      expect((await fetch(`${plain.url}/_sim/stats`)).status).toBe(404)
    } finally {
      await plain.close()
    }
  })
})
