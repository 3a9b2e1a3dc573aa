/** Batch routes (contract §5). Handlers parse, call the service, and present. */
import { Elysia, t } from 'elysia'
import type { Deps } from '../../deps'
import { customerAuth } from '../api-keys/index'
import { forwardedOrigin } from '../../lib/forwarded'
import { conditionalJson } from '../../lib/etag'
import { ArtifactQuery, ArtifactUrl, BatchIdParams, BatchObject, BillingReceiptResponse, CreateBatchBody, GetBatchQuery, ListBatchesQuery, ResultsPage, ResultsQuery, RoutingReceipt } from './models'
import { createArtifactUrl, createBatch, downloadArtifact, getBatch, getBillingReceipt, getResults, getRoutingReceipt, listBatches } from './service'
import { cancelBatch } from './cancel'
import { presentBatch } from './present'

const ListResponse = t.Object(
  { object: t.Literal('list'), data: t.Array(BatchObject), first_id: t.Union([t.String(), t.Null()]), last_id: t.Union([t.String(), t.Null()]), has_more: t.Boolean() },
  { examples: [{ object: 'list', data: [], first_id: null, last_id: null, has_more: false }] },
)

/** The bodiless 304 of a conditional GET (If-None-Match named the current ETag). */
const ConditionalNotModified = t.Void({ description: 'Not modified: the ETag named in If-None-Match is still current; no body.' })

export function batchesRoutes(deps: Deps) {
  // Never the request's Host header (anyone can send one): the configured public URL, else the
  // proxy's forwarded host when the operator trusts the proxy, else the listen address.
  const baseUrl = (request: Request) => (deps.config.publicUrl ?? (deps.config.trustProxy ? forwardedOrigin(request.headers) : null) ?? deps.baseUrl?.() ?? '').replace(/\/+$/, '')
  const protectedRoutes = new Elysia({ prefix: '/v1/batches', tags: ['Batches'] })
    .use(customerAuth(deps))
    .post('/', async ({ auth, body, request, set }) => {
      set.status = 202
      return createBatch(deps, auth, body, request.headers.get('idempotency-key'))
    }, {
      body: CreateBatchBody,
      response: { 202: BatchObject },
      detail: { summary: 'Create a batch', description: 'Native shape: inline items or input_file_id, Idempotency-Key header required. OpenAI shape: input_file_id + endpoint + completion_window. Preflights every item, reserves the priced total, answers 202 pending.' },
    })
    .get('/', ({ auth, query }) => listBatches(deps, auth.orgId, query), { query: ListBatchesQuery, response: ListResponse, detail: { summary: 'List batches', description: 'Newest first; cursor `after` is a batch id.' } })
    .get('/:id', ({ auth, params, query, request }) => conditionalJson(request, JSON.stringify(getBatch(deps, auth.orgId, params.id, query.include_billing_receipt === 'true'))), { params: BatchIdParams, query: GetBatchQuery, response: { 200: BatchObject, 304: ConditionalNotModified }, detail: { summary: 'Retrieve a batch', description: 'The OpenAI batch object with the native view under `batch`. Answers carry an ETag; a request whose If-None-Match names the current one answers 304 with no body.' } })
    .post('/:id/cancel', ({ auth, params }) => presentBatch(deps, cancelBatch(deps, auth.orgId, params.id)), { params: BatchIdParams, response: BatchObject, detail: { summary: 'Cancel a batch', description: 'Stops outstanding work, keeps finished items, releases unspent credit at finalize. 409 once terminal.' } })
    .get('/:id/results', ({ auth, params, query, request }) => conditionalJson(request, getResults(deps, auth.orgId, params.id, query)), { params: BatchIdParams, query: ResultsQuery, response: { 200: ResultsPage, 304: ConditionalNotModified }, detail: { summary: 'Page results', description: 'Finished items in input order; readable while the batch runs. Answers carry an ETag; a request whose If-None-Match names the current one answers 304 with no body.' } })
    .get('/:id/artifact-url', ({ auth, params, query, request }) => createArtifactUrl(deps, auth.orgId, params.id, query.kind ?? 'results', baseUrl(request)), { params: BatchIdParams, query: ArtifactQuery, response: ArtifactUrl, detail: { summary: 'Get a signed artifact URL', description: 'A link valid 15 minutes that downloads without a bearer key.' } })
    .get('/:id/billing-receipt', ({ auth, params }) => getBillingReceipt(deps, auth.orgId, params.id), { params: BatchIdParams, response: BillingReceiptResponse, detail: { summary: 'Billing receipt', description: 'Quoted vs settled price per lane and the credit movements.' } })
    .get('/:id/receipt', ({ auth, params }) => getRoutingReceipt(deps, auth.orgId, params.id), { params: BatchIdParams, response: RoutingReceipt, detail: { summary: 'Routing receipt', description: 'Every lane considered per item group, selected or rejected with a reason, and every re-route.' } })
  const publicRoutes = new Elysia({ tags: ['Batches'] }).get('/v1/artifacts/:token', ({ params }) => downloadArtifact(deps, params.token), {
    params: t.Object({ token: t.String() }),
    detail: {
      summary: 'Download an artifact',
      description: 'Public: the signed token is the credential. 403 invalid_signature when tampered or expired.',
      security: [],
      responses: {
        200: {
          description: 'The artifact: results and OpenAI output/error files as JSONL (one object per line), the routing receipt as JSON.',
          content: { 'application/jsonl': { schema: { type: 'string' }, example: '{"customer_item_id":"item-1","status":"completed",…}\n' }, 'application/json': { schema: { type: 'object' }, example: { object: 'routing_receipt', batch_id: 'bat_3kQ9xY2mN8pL4rT7vW1zA5bC' } } },
        },
      },
    },
  })
  return new Elysia().use(protectedRoutes).use(publicRoutes)
}
