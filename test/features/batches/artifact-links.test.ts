/**
 * Signed artifact links (contract §5): their host never comes from the request's Host header
 * (issue 13 item 6) — the configured public URL, else the listen address, and forwarded headers
 * only behind a trusted proxy — and a token stops working once its 15 minutes are up (the
 * mutation that ignored expiry survived every earlier test: this one moves the clock past it).
 */
import { afterEach, describe, expect, it } from 'bun:test'
import { FakeClock } from '../../../src/lib/clock'
import { json, startTestApp, type TestApp } from '../../helpers/test-app'
import { chatItem, driveToTerminal, getJson, newKey, postBatch } from '../../helpers/batch-helpers'

let app: TestApp | undefined
afterEach(async () => {
  await app?.close()
  app = undefined
})

/** A finished one-item batch on a fresh app; returns the app's org auth and batch id. */
async function finishedBatch(config: Record<string, unknown> = {}, clock = new FakeClock()) {
  app = await startTestApp({ scheduler: false, clock, config: { demo: true, ...config } })
  const org = app.newOrg('5')
  const created = await postBatch(app, org.auth, { items: [chatItem('a')] }, newKey('links'))
  expect(created.status).toBe(202)
  await driveToTerminal(app, clock, created.body.id)
  return { org, batchId: created.body.id as string, clock }
}

const HOSTILE = { host: 'evil.example:666', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' }

describe('GET /v1/batches/{id}/artifact-url link host', () => {
  it('uses the listen address, never the Host or X-Forwarded-* headers, without public_url', async () => {
    const { org, batchId } = await finishedBatch()
    const res = await json(app!.request(`/v1/batches/${batchId}/artifact-url`, { headers: { ...org.auth, ...HOSTILE } }))
    expect(res.status).toBe(200)
    expect(res.body.url.startsWith(`${app!.url}/v1/artifacts/`)).toBe(true)
    expect(res.body.url).not.toContain('evil')
    expect((await app!.request(new URL(res.body.url).pathname)).status).toBe(200)
  })

  it('uses the configured public URL (trailing slash trimmed)', async () => {
    const { org, batchId } = await finishedBatch({ publicUrl: 'https://batches.example.com/' })
    const res = await json(app!.request(`/v1/batches/${batchId}/artifact-url`, { headers: { ...org.auth, ...HOSTILE } }))
    expect(res.body.url).toStartWith('https://batches.example.com/v1/artifacts/')
  })

  it('uses X-Forwarded-Host/Proto only with trustProxy, and ignores a malformed forwarded host', async () => {
    const { org, batchId } = await finishedBatch({ trustProxy: true })
    const proxied = await json(app!.request(`/v1/batches/${batchId}/artifact-url`, { headers: { ...org.auth, 'x-forwarded-host': 'router.example:8443', 'x-forwarded-proto': 'https' } }))
    expect(proxied.body.url).toStartWith('https://router.example:8443/v1/artifacts/')
    const malformed = await json(app!.request(`/v1/batches/${batchId}/artifact-url`, { headers: { ...org.auth, 'x-forwarded-host': 'evil.example/@x', 'x-forwarded-proto': 'https' } }))
    expect(malformed.body.url).toStartWith(`${app!.url}/v1/artifacts/`)
  })
})

describe('GET /v1/artifacts/{token} expiry', () => {
  it('serves the artifact until 15 minutes after signing and answers 403 invalid_signature after', async () => {
    const { org, batchId, clock } = await finishedBatch()
    const signed = await getJson(app!, org.auth, `/v1/batches/${batchId}/artifact-url`)
    expect(Date.parse(signed.body.expires_at) - clock.now()).toBe(15 * 60 * 1000)
    const path = new URL(signed.body.url).pathname
    clock.advance(15 * 60 * 1000 - 1000)
    const late = await app!.request(path)
    expect(late.status).toBe(200)
    expect((await late.text()).length).toBeGreaterThan(0)
    clock.advance(2000)
    const expired = await json(app!.request(path))
    expect(expired.status).toBe(403)
    expect(expired.body.error.code).toBe('invalid_signature')
    expect(expired.headers.get('x-content-type-options')).toBe('nosniff')
    clock.advance(24 * 3600 * 1000)
    expect((await app!.request(path)).status).toBe(403)
  })
})
