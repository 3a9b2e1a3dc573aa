/** Batch operations behind the routes: create (idempotent), read, list, results, artifacts. */
import type { Deps } from '../../deps'
import { AppError } from '../../lib/errors'
import { pageLimit } from '../../lib/paging'
import { canonicalJson, sha256Hex } from '../../lib/crypto'
import type { CustomerAuth } from '../api-keys/index'
import type { CreateBatchBody } from './models'
import { createBatchRecord } from './create'
import { getBatchForOrg, listBatchesForOrg } from './queries'
import { presentBatch } from './present'
import { billingReceipt } from './billing'
import { routingReceipt } from '../routing/index'
import { artifactPath, pageResults } from './results'
import { signArtifactToken, verifyArtifactToken, type ArtifactKind } from './artifact-url'
import { getFileForOrg } from '../files/index'
import { checkIdempotencyHeader, claimIdempotencyKey, releaseIdempotencyKey } from './idempotency'

/** SDK retries of an OpenAI-shape create without a key replay the original within this window. */
const OPENAI_DEDUPE_WINDOW_MS = 10 * 60 * 1000

/** Creates a batch (or replays the original for a repeated request) and presents it. */
export async function createBatch(deps: Deps, auth: CustomerAuth, body: CreateBatchBody, idempotencyHeader: string | null) {
  const openAiShape = body.endpoint !== undefined || body.completion_window !== undefined
  const header = openAiShape && !idempotencyHeader ? null : checkIdempotencyHeader(idempotencyHeader)
  const key = header ? `key:${header}` : `openai:${sha256Hex(auth.keyId + canonicalJson(body))}`
  const claim = claimIdempotencyKey(deps, auth.orgId, key, sha256Hex(canonicalJson(body)), header ? undefined : OPENAI_DEDUPE_WINDOW_MS)
  if (claim.kind === 'replay') return presentBatch(deps, getBatchForOrg(deps, auth.orgId, claim.batchId))
  try {
    const row = await createBatchRecord(deps, auth.orgId, body, { key })
    // Present before nudging: the nudged jobs may run at once, and the 202 must be one snapshot
    // of the pending batch (not a pending status beside routed lanes and running counts).
    const created = presentBatch(deps, row)
    deps.nudge('route-batches')
    return created
  } catch (err) {
    releaseIdempotencyKey(deps, auth.orgId, key)
    throw err
  }
}

export function getBatch(deps: Deps, orgId: string, batchId: string, includeBillingReceipt: boolean) {
  const row = getBatchForOrg(deps, orgId, batchId)
  return presentBatch(deps, row, includeBillingReceipt ? billingReceipt(deps, row) : undefined)
}

export function listBatches(deps: Deps, orgId: string, q: { after?: string; limit?: number; status?: string }) {
  const { rows, hasMore } = listBatchesForOrg(deps, orgId, { after: q.after, limit: pageLimit(q.limit), status: q.status })
  const data = rows.map((r) => presentBatch(deps, r))
  return { object: 'list' as const, data, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null, has_more: hasMore }
}

/** The page as JSON text (see pageResults). */
export function getResults(deps: Deps, orgId: string, batchId: string, q: { limit?: number; cursor?: string; status?: 'completed' | 'failed' }) {
  const limit = pageLimit(q.limit, { max: 1000, fallback: 100 })
  getBatchForOrg(deps, orgId, batchId)
  return pageResults(deps, batchId, { limit, cursor: q.cursor, status: q.status })
}

export function getBillingReceipt(deps: Deps, orgId: string, batchId: string) {
  return { billing_receipt: billingReceipt(deps, getBatchForOrg(deps, orgId, batchId)) }
}

export function getRoutingReceipt(deps: Deps, orgId: string, batchId: string) {
  return routingReceipt(deps, getBatchForOrg(deps, orgId, batchId))
}

/** A signed link to one artifact; 409-free: before finalize the artifact does not exist yet → 404. */
export async function createArtifactUrl(deps: Deps, orgId: string, batchId: string, kind: ArtifactKind, baseUrl: string) {
  const batch = getBatchForOrg(deps, orgId, batchId)
  const file = await artifactFile(deps, batch.orgId, batch, kind)
  const { token, expiresAt } = await signArtifactToken(deps, { batchId, orgId, kind })
  return { url: `${baseUrl}/v1/artifacts/${token}`, expires_at: new Date(expiresAt * 1000).toISOString(), bytes: file.size, sha256: null as string | null, kind }
}

/** The bytes behind a signed link (no bearer key needed). */
export async function downloadArtifact(deps: Deps, token: string): Promise<Response> {
  const claims = await verifyArtifactToken(deps, token)
  const batch = getBatchForOrg(deps, claims.orgId, claims.batchId)
  const file = await artifactFile(deps, claims.orgId, batch, claims.kind)
  const type = claims.kind === 'receipt' ? 'application/json' : 'application/jsonl'
  return new Response(file, { headers: { 'content-type': type, 'content-disposition': `attachment; filename="${batch.id}_${claims.kind}.${claims.kind === 'receipt' ? 'json' : 'jsonl'}"` } })
}

async function artifactFile(deps: Deps, orgId: string, batch: ReturnType<typeof getBatchForOrg>, kind: ArtifactKind) {
  const finished = ['completed', 'cancelled', 'expired', 'failed'].includes(batch.status)
  const notReady = () =>
    finished
      ? new AppError('not_found', { message: `Batch ${batch.id} has no ${kind} artifact (for example, no item failed, so there is no error file).` })
      : new AppError('artifact_not_ready', { message: `The ${kind} artifact of ${batch.id} is written when the batch finishes; poll GET /v1/batches/{id} or page GET /v1/batches/{id}/results meanwhile.` })
  let path: string
  if (kind === 'openai_output' || kind === 'openai_error') {
    const fileId = kind === 'openai_output' ? batch.outputFileId : batch.errorFileId
    if (!fileId) throw notReady()
    path = getFileForOrg(deps, orgId, fileId).absolutePath
  } else {
    path = artifactPath(deps, batch.id, kind)
  }
  const file = Bun.file(path)
  if (!(await file.exists())) throw notReady()
  return file
}
