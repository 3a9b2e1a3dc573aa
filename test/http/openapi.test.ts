import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
// Installed with @scalar/api-reference (same pinned version); used here only as an OpenAPI validator.
import { validate } from '@scalar/openapi-parser'
import { json, startTestApp, type TestApp } from '../helpers/test-app'
import { buildOpenApiDocument, renderDocsPage } from '../../src/http/openapi'

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']

let app: TestApp
let doc: any
beforeAll(async () => {
  app = await startTestApp({ scheduler: false })
  doc = (await json(app.request('/v1/openapi.json'))).body
})
afterAll(() => app.close())

/** Every operation of the document, whoever added the route. */
function operations(document: any): Array<{ path: string; method: string; op: any }> {
  return Object.entries<any>(document.paths ?? {}).flatMap(([path, item]) =>
    Object.entries<any>(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({ path, method, op })),
  )
}

describe('GET /v1/openapi.json', () => {
  it('answers a valid OpenAPI 3 document without a key', async () => {
    const res = await app.request('/v1/openapi.json')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('application/json')
    expect(doc.openapi).toMatch(/^3\./)
    // No asymmetric matchers on `doc`: Bun's toMatchObject leaves them inside the object it checks.
    expect(doc.info.title).toBe('BatchRouter')
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+/)
    const result = await validate(structuredClone(doc))
    expect((result.errors ?? []).map((e) => JSON.stringify(e))).toEqual([])
    expect(result.valid).toBe(true)
  })

  it('lists the catalog, fees, models and health paths', () => {
    for (const path of ['/v1/catalog/models', '/v1/pricing/fees', '/v1/models', '/v1/models/{id}', '/healthz']) {
      expect(doc.paths[path]?.get).toBeDefined()
    }
  })

  it('leaves out the docs routes and the simulator', () => {
    const paths = Object.keys(doc.paths)
    expect(paths.filter((p) => p.startsWith('/v1/docs') || p === '/v1/openapi.json' || p.startsWith('/_sim') || p.includes('*'))).toEqual([])
  })

  it('leaves out the simulator routes that demo mode mounts', async () => {
    const demo = await startTestApp({ scheduler: false, config: { demo: true } })
    try {
      const { body } = await json(demo.request('/v1/openapi.json'))
      expect(Object.keys(body.paths).filter((p) => p.startsWith('/_sim'))).toEqual([])
      expect(Object.keys(body.paths)).toContain('/v1/catalog/models')
    } finally {
      await demo.close()
    }
  })

  it('gives every operation a summary', () => {
    const ops = operations(doc)
    expect(ops.length).toBeGreaterThan(0)
    const missing = ops.filter(({ op }) => typeof op.summary !== 'string' || op.summary.trim() === '').map(({ path, method }) => `${method.toUpperCase()} ${path}`)
    expect(missing).toEqual([])
  })

  it('gives every operation a success response schema and an example (issue: every route has request and response schemas, and examples)', () => {
    const gaps = operations(doc).flatMap(({ path, method, op }) => {
      const success = Object.entries<any>(op.responses ?? {}).filter(([code]) => code.startsWith('2'))
      const hasSchema = success.some(([, r]) => Object.values<any>(r.content ?? {}).some((c) => c.schema && Object.keys(c.schema).length > 0))
      const hasExample = JSON.stringify(op).includes('"example')
      const needsBody = (method === 'post' || method === 'put') && !NO_BODY.has(`${method.toUpperCase()} ${path}`)
      const problems = [!hasSchema && 'no 2xx schema', !hasExample && 'no example', needsBody && !op.requestBody && 'no request body'].filter(Boolean)
      return problems.length > 0 ? [`${method.toUpperCase()} ${path}: ${problems.join(', ')}`] : []
    })
    expect(gaps).toEqual([])
  })

  it('gives every operation a unique operationId and declares every tag it uses', () => {
    const ids = operations(doc).map(({ op }) => op.operationId)
    expect(new Set(ids).size).toBe(ids.length)
    const declared = new Set(doc.tags.map((t: any) => t.name))
    expect(operations(doc).flatMap(({ op }) => op.tags ?? []).filter((t: string) => !declared.has(t))).toEqual([])
  })

  it('declares the bearer scheme, with public routes opting out', () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' })
    expect(doc.security).toEqual([{ bearer: [] }])
    expect(doc.paths['/v1/catalog/models'].get.security).toEqual([])
    expect(doc.paths['/v1/pricing/fees'].get.security).toEqual([])
    expect(doc.paths['/v1/models'].get.security).toBeUndefined()
  })
})

/** POST routes that take no body by design (actions on the object in the path). */
const NO_BODY = new Set(['POST /v1/batches/{id}/cancel', 'POST /v1/admin/catalog/reload', 'POST /v1/admin/fleet/nodes/{id}/drain'])

describe('buildOpenApiDocument', () => {
  it('skips hidden, simulator and wildcard routes, drops trailing slashes and documents JSON routes as JSON only', () => {
    const built = buildOpenApiDocument([
      { method: 'GET', path: '/v1/things/:id', hooks: { detail: { summary: 'Get a thing' } } },
      { method: 'POST', path: '/v1/things/', hooks: { detail: { summary: 'Make a thing' }, body: { type: 'object', properties: {} } } },
      { method: 'GET', path: '/v1/things', hooks: { detail: { summary: 'List things' } } },
      { method: 'POST', path: '/v1/uploads', hooks: { detail: { summary: 'Upload' }, type: 'multipart/form-data', body: { type: 'object', properties: {} } } },
      { method: 'GET', path: '/v1/secret', hooks: { detail: { hide: true, summary: 'x' } } },
      { method: 'POST', path: '/_sim/upstream/v1/batches', hooks: { detail: { summary: 'x' } } },
      { method: 'GET', path: '/v1/things/*', hooks: { detail: { summary: 'x' } } },
      { method: 'ALL', path: '/v1/any', hooks: {} },
    ])
    expect(Object.keys(built.paths).sort()).toEqual(['/v1/things', '/v1/things/{id}', '/v1/uploads'])
    expect(Object.keys(built.paths['/v1/things']).sort()).toEqual(['get', 'post'])
    expect(Object.keys(built.paths['/v1/things'].post.requestBody.content)).toEqual(['application/json'])
    expect(Object.keys(built.paths['/v1/uploads'].post.requestBody.content)).toEqual(['multipart/form-data'])
    expect(built.paths['/v1/things/{id}'].get.parameters).toEqual([{ schema: { type: 'string' }, in: 'path', name: 'id', required: true }])
    expect(built.paths['/v1/things/{id}'].get.responses['200'].description).toBe('Success')
  })
})

describe('GET /v1/docs', () => {
  it('answers an HTML page that loads nothing from another host', async () => {
    const res = await app.request('/v1/docs')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/html')
    const html = await res.text()
    expect(html).toBe(renderDocsPage())
    const srcs = [...html.matchAll(/<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?([^"' >]+)/gi)].map((m) => m[1])
    expect(srcs).toEqual(['/v1/docs/scalar.js'])
    expect(html).not.toMatch(/https?:\/\//)
    expect(html).not.toMatch(/@import/)
    // Scalar fetches its web fonts from fonts.scalar.com unless told not to.
    expect(html).toContain('&#34;withDefaultFonts&#34;:false')
    expect(html).toContain('data-url="/v1/openapi.json"')
  })

  it('serves the embedded Scalar bundle from /v1/docs/scalar.js', async () => {
    const res = await app.request('/v1/docs/scalar.js')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('application/javascript')
    const body = await res.arrayBuffer()
    expect(body.byteLength).toBeGreaterThan(1_000_000)
  })
})
