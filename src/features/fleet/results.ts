/**
 * Results from a node (contract §11 POST /v1/fleet/leases/{id}/results): each is checked against
 * the item it names — leased to this node, in this lease, at this attempt — and the ones that
 * pass settle through the one outcome path (usage → cost → result row → counters → progress
 * events; the ledger at finalize), exactly like a runner's outcomes, in one transaction with the
 * node's counters. The rest are ignored with a reason and change nothing: a late result from a
 * lapsed lease whose item was leased again (a newer attempt), another node's item, a repeat.
 * Idempotent: sending the same results again accepts none of them. The lease ends with its last item.
 */
import { inArray, sql } from 'drizzle-orm'
import type { Deps } from '../../deps'
import { writeTx } from '../../db/tx'
import { notFound } from '../../lib/errors'
import { chatUsage, checkChatCompletion, checkEmbeddingList, embeddingUsage } from '../../providers/openai-compatible/index'
import { PROVIDER_ERROR_KINDS, type ItemOutcome, type ProviderErrorKind } from '../../providers/types'
import { endLeaseInTx, NODE_ITEM_LEASES, leasesTable, MAX_ATTEMPTS, recordOutcomesInTx, RunnerCaches, type PendingOutcome, type WorkPorts } from '../dispatch/index'
import { itemsTable } from '../items/index'
import { eq } from 'drizzle-orm'
import { leaseExpired } from './leasing'
import { fleetNodesTable } from './table'

/** One result as a node sends it. */
export interface NodeResult {
  item_id: string
  attempt: number
  status: 'completed' | 'failed'
  response?: Record<string, unknown>
  usage?: { input_tokens: number; output_tokens: number }
  error?: { code: string; message: string; retryable?: boolean }
  latency_ms?: number
}

type Ignored = { item_id: string; reason: string }
type ItemState = { id: string; status: string; attempts: number; nodeId: string | null; leaseId: string | null; laneId: string | null; operation: string }

const RETRYABLE_KINDS: ReadonlySet<ProviderErrorKind> = new Set(['rate_limited', 'server_error', 'timeout', 'network', 'malformed_response'])

/** Settles what passes the fence; answers how many were accepted and why the others were ignored. */
export function acceptResults(deps: Deps, ports: WorkPorts, nodeId: string, leaseId: string, results: NodeResult[]): { accepted: number; ignored: Ignored[] } {
  const lease = deps.db.select().from(leasesTable).where(eq(leasesTable.id, leaseId)).get()
  if (lease && (lease.holder !== nodeId || lease.kind !== NODE_ITEM_LEASES.name)) throw notFound('lease', leaseId)
  const items = new Map(
    deps.db
      .select({ id: itemsTable.id, status: itemsTable.status, attempts: itemsTable.attempts, nodeId: itemsTable.nodeId, leaseId: itemsTable.leaseId, laneId: itemsTable.laneId, operation: itemsTable.operation })
      .from(itemsTable)
      .where(inArray(itemsTable.id, [...new Set(results.map((r) => r.item_id))]))
      .all()
      .map((i) => [i.id, i as ItemState]),
  )
  const ignored: Ignored[] = []
  const settle: Array<{ result: NodeResult; item: ItemState }> = []
  for (const result of results) {
    const reason = fenceReason(items.get(result.item_id), result, nodeId, leaseId)
    if (reason) ignored.push({ item_id: result.item_id, reason })
    else settle.push({ result, item: items.get(result.item_id)! })
  }
  // Nothing of it can settle and the lease is gone: the node is late (409, nothing changed); a pure repeat answers 200.
  if (settle.length === 0 && !lease && ignored.some((i) => i.reason !== 'already_settled')) throw leaseExpired(leaseId)
  if (settle.length === 0) return { accepted: 0, ignored }
  const caches = new RunnerCaches(deps, ports)
  caches.rates(settle.map((s) => s.item))
  const pending: PendingOutcome[] = settle.map(({ result, item }) => ({ itemId: item.id, attempt: item.attempts, provider: 'edge', rates: caches.rateOf(item.laneId), outcome: outcomeOf(result, item.operation) }))
  const { applied, events } = writeTx(deps.db, () => {
    const now = deps.clock.now()
    const written = recordOutcomesInTx(deps, ports, pending, now)
    const completed = written.applied.filter((o) => o.outcome.ok).length
    const failed = written.applied.filter((o) => !o.outcome.ok && 'error' in o.outcome && !(o.outcome.error.retryable && o.attempt < MAX_ATTEMPTS)).length
    if (completed + failed > 0) deps.db.update(fleetNodesTable).set({ completedItems: sql`${fleetNodesTable.completedItems} + ${completed}`, failedItems: sql`${fleetNodesTable.failedItems} + ${failed}` }).where(eq(fleetNodesTable.id, nodeId)).run()
    if (lease && deps.db.$client.query('SELECT 1 FROM items WHERE lease_id = ? LIMIT 1').get(leaseId) === null) endLeaseInTx(deps, NODE_ITEM_LEASES, leaseId, now)
    return { applied: written.applied, events: written.progressEvents }
  })
  const appliedIds = new Set(applied.map((o) => o.itemId))
  for (const { item } of settle) if (!appliedIds.has(item.id)) ignored.push({ item_id: item.id, reason: 'already_settled' })
  if (applied.length > 0) deps.nudge('finalize-batches')
  if (events > 0) deps.nudge('deliver-webhooks')
  if (applied.some((o) => !o.outcome.ok)) deps.nudge('dispatch-items')
  return { accepted: applied.length, ignored }
}

/** Why a result may not settle its item, or null when it may. */
function fenceReason(item: ItemState | undefined, result: NodeResult, nodeId: string, leaseId: string): string | null {
  if (!item || item.nodeId !== nodeId) return 'not_leased_to_this_node'
  if (result.attempt !== item.attempts) return 'stale_attempt'
  if (item.status === 'running' && item.leaseId === leaseId) return null
  if (item.status === 'running') return 'not_in_this_lease'
  if (item.status === 'queued') return 'lease_expired'
  return 'already_settled'
}

/** The node's report as the outcome a runner would have produced: a response is checked like the adapter checks one. */
function outcomeOf(result: NodeResult, operation: string): ItemOutcome {
  const itemId = result.item_id
  if (result.status === 'completed') {
    const body = result.response
    if (operation === 'embeddings' ? checkEmbeddingList.Check(body) : checkChatCompletion.Check(body)) {
      const usage = operation === 'embeddings' ? embeddingUsage(body as never) : chatUsage(body as never)
      return { ok: true, itemId, output: body as Record<string, unknown>, usage }
    }
    return { ok: false, itemId, error: { kind: 'malformed_response', retryable: true, message: `The edge node reported a response that is not ${operation === 'embeddings' ? 'an embeddings list' : 'a chat.completion'}.` } }
  }
  const code = result.error?.code ?? 'server_error'
  const kind: ProviderErrorKind = (PROVIDER_ERROR_KINDS as readonly string[]).includes(code) ? (code as ProviderErrorKind) : result.error?.retryable ? 'server_error' : 'invalid_request'
  const retryable = result.error?.retryable ?? RETRYABLE_KINDS.has(kind)
  return { ok: false, itemId, error: { kind, retryable, message: `Edge node: ${(result.error?.message ?? 'the upstream call failed').slice(0, 500)}` } }
}
