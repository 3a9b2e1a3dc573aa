/**
 * Files come back as attachments with nosniff, and with their stored type only when a browser
 * cannot execute it: an uploaded HTML page or SVG image is served as application/octet-stream, so
 * it never runs as this origin (issue 13 item 7).
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { json, startTestApp, type TestApp } from '../../helpers/test-app'

let app: TestApp
let org: ReturnType<TestApp['newOrg']>
beforeAll(async () => {
  app = await startTestApp({ scheduler: false })
  org = app.newOrg()
})
afterAll(() => app.close())

async function roundTrip(contentType: string, filename: string, body: string) {
  const up = await json(app.request('/v1/files', { method: 'POST', headers: { ...org.auth, 'content-type': contentType, 'x-batchrouter-filename': filename, 'x-batchrouter-purpose': 'user_data' }, body }))
  expect(up.status).toBe(200)
  const res = await app.request(`/v1/files/${up.body.id}/content`, { headers: org.auth })
  expect(res.status).toBe(200)
  expect(await res.text()).toBe(body)
  expect(res.headers.get('x-content-type-options')).toBe('nosniff')
  expect(res.headers.get('content-disposition')).toStartWith('attachment;')
  expect(res.headers.get('x-ratelimit-limit-requests')).toBe(String(app.deps.config.rateLimits.perKey))
  return { stored: up.body.content_type as string, served: res.headers.get('content-type') }
}

describe('GET /v1/files/{id}/content type', () => {
  it('serves active content (HTML, SVG, XML) as application/octet-stream, keeping the stored type in the file object', async () => {
    for (const [type, name, body] of [
      ['text/html', 'page.html', '<script>alert(1)</script>'],
      ['image/svg+xml', 'x.svg', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'],
      ['application/xml', 'x.xml', '<?xml version="1.0"?><x/>'],
    ]) {
      const { stored, served } = await roundTrip(type!, name!, body!)
      expect(stored).toBe(type!)
      expect(served).toBe('application/octet-stream')
    }
  })

  it('serves inert types as stored (JSON, JSONL, plain text, PDF, PNG)', async () => {
    for (const [type, name] of [['application/json', 'a.json'], ['application/jsonl', 'a.jsonl'], ['text/plain', 'a.txt'], ['application/pdf', 'a.pdf'], ['image/png', 'a.png']]) {
      const { served } = await roundTrip(type!, name!, type === 'application/jsonl' ? '{"a":1}\n' : '{"a":1}')
      expect(served).toStartWith(type!)
    }
  })
})
