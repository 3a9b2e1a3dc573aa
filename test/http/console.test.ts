/**
 * GET /console: the web console page and its bundled assets come from this server (embedded in
 * the compiled binary; scripts/smoke.sh checks the binary itself), and nothing in them loads from
 * another host. The page's behaviour is tested in a real browser under test/console/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { startTestApp, type TestApp } from '../helpers/test-app'

let app: TestApp
let html = ''
beforeAll(async () => {
  app = await startTestApp()
  const res = await app.request('/console')
  html = await res.text()
})
afterAll(() => app.close())

/** Namespace URIs are identifiers, never fetched; the example URL is an input placeholder. */
const NOT_FETCHED = ['http://www.w3.org/', 'https://hooks.example.com/']

const assetPaths = () => [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!).filter((p) => !p.startsWith('data:'))

describe('GET /console', () => {
  it('answers the page as HTML', async () => {
    const res = await app.request('/console')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toStartWith('text/html')
    expect(html).toContain('<div id="app"></div>')
  })

  it('serves every script and stylesheet it names from this server, with the right type', async () => {
    const paths = assetPaths()
    expect(paths.some((p) => p.endsWith('.js'))).toBe(true)
    expect(paths.some((p) => p.endsWith('.css'))).toBe(true)
    for (const path of paths) {
      expect(path).toMatch(/^\/[^/]/)
      const res = await app.request(path)
      expect({ path, status: res.status }).toEqual({ path, status: 200 })
      expect(res.headers.get('content-type')).toStartWith(path.endsWith('.js') ? 'text/javascript' : 'text/css')
    }
  })

  it('bundles uPlot and loads nothing from another host', async () => {
    const bodies = await Promise.all(assetPaths().map(async (p) => (await app.request(p)).text()))
    const all = [html, ...bodies].join('\n')
    expect(all).toContain('.u-over') // uPlot's stylesheet, bundled
    const urls = [...all.matchAll(/https?:\/\/[^\s"'`)]+/g)].map((m) => m[0])
    expect(urls.filter((u) => !NOT_FETCHED.some((ok) => u.startsWith(ok)))).toEqual([])
    expect(all).not.toMatch(/url\(\s*['"]?(https?:)?\/\//)
  })

  it('also answers with a trailing slash', async () => {
    expect((await app.request('/console/')).status).toBe(200)
  })
})
