/**
 * The OpenAPI document (`/v1/openapi.json`) and the API reference page (`/v1/docs`), built from
 * the routes' TypeBox schemas and `detail` with @elysiajs/swagger's path mapper. The page works
 * with no internet: the Scalar bundle is embedded in the binary and served from
 * `/v1/docs/scalar.js`, and Scalar's web fonts (fetched from its CDN by default) are turned off.
 *
 * Route authors: give every route `detail: { summary }` (test/http/openapi.test.ts checks it);
 * public routes add `security: []` (the document's default is the bearer key); multipart or
 * raw-body routes declare `parse` or `type` so their request content type is right.
 */
import { Elysia, type HTTPMethod } from 'elysia'
import { filterPaths, registerSchemaPath } from '@elysiajs/swagger/utils'
import scalarScript from '@scalar/api-reference/browser/standalone.js' with { type: 'file' }
import { VERSION } from '../version'

/** Where the reference page, its script and the JSON document are served. */
export const DOCS_PATH = '/v1/docs'
export const SCALAR_SCRIPT_PATH = '/v1/docs/scalar.js'
export const OPENAPI_JSON_PATH = '/v1/openapi.json'

/** Tags in the order the reference page shows them; a route file picks one with `new Elysia({ tags })`. */
export const API_TAGS = [
  { name: 'Accounts', description: 'Agent self-registration, the account, API keys and the delivery webhook.' },
  { name: 'Files', description: 'Upload batch inputs (raw body or OpenAI multipart) and read outputs.' },
  { name: 'Quotes', description: 'Price a batch before running it; a quote locks rates for 10 minutes.' },
  { name: 'Batches', description: 'Create, follow, cancel and read batches (native and OpenAI-compatible).' },
  { name: 'Catalog', description: 'Models, provider offerings with batch prices, fees, and the OpenAI model list.' },
  { name: 'Fleet', description: 'Edge nodes joining the router: heartbeats, leases and results.' },
  { name: 'Admin', description: 'Operator endpoints; they need an admin key (br_admin_…).' },
  { name: 'Operations', description: 'Health, readiness and metrics.' },
]

const DESCRIPTION = [
  'BatchRouter is a self-hosted batch router: it quotes, routes, dispatches and settles batch AI work across providers and private edge nodes.',
  'It speaks the native BatchRouter API and the OpenAI Batch API on the same `/v1` paths, so an unmodified OpenAI SDK with `base_url=http://<host>:<port>/v1` works.',
  'Authenticate with `Authorization: Bearer br_live_…` (customer key) or `br_admin_…` (operator key). Money is a decimal string with 6 decimals in USD. Every non-2xx answer is `{"error":{"code","type","message","param","request_id"}}`.',
].join('\n\n')

/** Paths never documented: the docs themselves and the demo-only provider simulator. */
const EXCLUDED: (string | RegExp)[] = [/^\/_sim(\/|$)/, DOCS_PATH, SCALAR_SCRIPT_PATH, OPENAPI_JSON_PATH]
const DOCUMENTED_METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'HEAD']
const DEFAULT_CONTENT_TYPES = ['application/json', 'multipart/form-data', 'text/plain']

/** Every non-2xx answer (contract §0); `code` decides the status (contract §9). */
const ERROR_RESPONSE = {
  description: 'Error envelope: `code` is stable and decides the status; `message` says what to fix.',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'type', 'message', 'param', 'request_id'],
            properties: {
              code: { type: 'string', examples: ['validation_failed'] },
              type: { type: 'string', enum: ['invalid_request_error', 'authentication_error', 'permission_error', 'not_found_error', 'rate_limit_error', 'api_error'] },
              message: { type: 'string' },
              param: { type: ['string', 'null'] },
              details: { type: 'object' },
              request_id: { type: 'string', examples: ['req_4fP0c2kq9ZyXb1Lm7NwA3sTe'] },
            },
          },
        },
      },
    },
  },
}

interface RouteLike {
  method: string
  path: string
  hooks?: Record<string, any>
}
interface Introspectable {
  getGlobalRoutes(): RouteLike[]
  getGlobalDefinitions?(): { type: Record<string, any> }
}

/** Builds the OpenAPI 3.0 document for every non-hidden route of the mounted app. */
export function buildOpenApiDocument(routes: readonly RouteLike[], models: Record<string, any> = {}): Record<string, any> {
  const paths: Record<string, any> = {}
  for (const route of routes) {
    const hooks = route.hooks ?? {}
    if (hooks.detail?.hide === true || !DOCUMENTED_METHODS.includes(route.method)) continue
    // The mapper only reads `parse`; a route that declared `type` means the same thing.
    const hook = hooks.parse === undefined && hooks.type !== undefined ? { ...hooks, parse: hooks.type } : hooks
    // `/v1/files/` (a prefix plus '/') is served at `/v1/files` too; document the form clients use.
    const path = route.path.length > 1 ? route.path.replace(/\/+$/, '') : route.path
    registerSchemaPath({ schema: paths, path, method: route.method as HTTPMethod, hook, models })
  }
  const documented = filterPaths(paths, { excludeStaticFile: false, exclude: EXCLUDED })
  for (const ops of Object.values<any>(documented)) for (const op of Object.values<any>(ops)) tidyOperation(op)
  // A tag a route uses but API_TAGS does not declare is listed after the declared ones.
  const used = new Set(Object.values(documented).flatMap((ops: any) => Object.values<any>(ops).flatMap((op) => op.tags ?? [])))
  const declared = new Set(API_TAGS.map((tag) => tag.name))
  const tags = [...API_TAGS, ...[...used].filter((name) => !declared.has(name)).map((name) => ({ name }))]
  return {
    // 3.1 because its schemas are JSON Schema 2020-12, which is what TypeBox emits (const, examples).
    openapi: '3.1.0',
    info: { title: 'BatchRouter', version: VERSION, description: DESCRIPTION },
    tags,
    // Most routes need a key; public routes opt out with `detail: { security: [] }`.
    security: [{ bearer: [] }],
    paths: documented,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key: `br_live_…` for customers, `br_admin_…` for operators.' } },
      responses: { Error: ERROR_RESPONSE },
      schemas: { ...models },
    },
  }
}

/**
 * Fixes what the mapper leaves loose: every response gets the required `description`, schema-level
 * and parameter-level `examples` lists become `example`, every operation documents the error
 * envelope as its default response, and a body listed under the mapper's
 * fallback trio (JSON, multipart, text: what it emits when no parser is named) is documented as
 * the JSON it is.
 */
function tidyOperation(op: Record<string, any>) {
  for (const [status, response] of Object.entries<any>(op.responses ?? {})) {
    response.description ??= status.startsWith('2') ? 'Success' : 'Error'
    const examples: unknown[] | undefined = response.examples
    delete response.examples
    narrowToJson(response)
    if (examples?.length) for (const media of Object.values<any>(response.content ?? {})) media.example ??= examples[0]
  }
  if (op.requestBody) narrowToJson(op.requestBody)
  op.responses ??= {}
  op.responses.default ??= { $ref: '#/components/responses/Error' }
  // A parameter's `examples` must be a map of Example objects; TypeBox's list becomes `example`.
  for (const param of op.parameters ?? []) {
    if (Array.isArray(param.examples)) param.example ??= param.examples[0]
    if (Array.isArray(param.examples) || param.examples === undefined) delete param.examples
  }
}

function narrowToJson(body: { content?: Record<string, unknown> }) {
  const content = body.content
  if (content && Object.keys(content).length === DEFAULT_CONTENT_TYPES.length && DEFAULT_CONTENT_TYPES.every((t) => t in content)) {
    body.content = { 'application/json': content['application/json'] }
  }
}

/** The reference page: everything it loads comes from this server. */
export function renderDocsPage(): string {
  const config = { spec: { url: OPENAPI_JSON_PATH }, withDefaultFonts: false, metaData: { title: 'BatchRouter API reference' } }
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>BatchRouter API reference</title>
    <style>body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }</style>
  </head>
  <body>
    <script id="api-reference" data-url="${escapeHtml(OPENAPI_JSON_PATH)}" data-configuration="${escapeHtml(JSON.stringify(config))}"></script>
    <script src="${SCALAR_SCRIPT_PATH}"></script>
  </body>
</html>`
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** The docs plugin: reference page, embedded script and JSON document. Mount it once; it documents the whole app. */
export function openApiRoutes() {
  let cached: { routeCount: number; doc: Record<string, any> } | undefined
  const page = renderDocsPage()
  const plugin = new Elysia({ name: 'openapi' })
    .get(DOCS_PATH, () => new Response(page, { headers: { 'content-type': 'text/html; charset=utf-8' } }), { detail: { hide: true } })
    // The path from `with { type: 'file' }` resolves inside a `bun build --compile` binary too.
    .get(SCALAR_SCRIPT_PATH, () => new Response(Bun.file(scalarScript), { headers: { 'content-type': 'application/javascript; charset=utf-8', 'cache-control': 'public, max-age=86400' } }), {
      detail: { hide: true },
    })
    .get(
      OPENAPI_JSON_PATH,
      () => {
        // Routes are all mounted before the first request; rebuild only if that ever changes.
        const app = plugin as unknown as Introspectable
        const routes = app.getGlobalRoutes()
        if (cached?.routeCount !== routes.length) cached = { routeCount: routes.length, doc: buildOpenApiDocument(routes, app.getGlobalDefinitions?.().type) }
        return cached.doc
      },
      { detail: { hide: true } },
    )
  return plugin
}
