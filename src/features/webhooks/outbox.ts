/**
 * Writing webhook events (design §8): always inside the caller's transaction, beside the state
 * change that causes them, so an event exists if and only if its change committed. The target is
 * the batch's own webhook, else the org default; with neither, nothing is written.
 */
import { and, desc, eq, inArray } from 'drizzle-orm'
import type { Deps } from '../../deps'
import type { Db } from '../../db/client'
import { newId } from '../../lib/ids'
import { orgsTable } from '../accounts/index'
import { batchesTable, batchTotals, isTerminal, signArtifactToken, type BatchRow, type TerminalEvent } from '../batches/index'
import { itemsTable } from '../items/index'
import type { WebhookEventType } from './models'
import { presentEventBody } from './present'
import { webhookEventsTable } from './table'

/** At most one batch.progress event per batch in this window. */
export const PROGRESS_INTERVAL_MS = 30_000

export interface WebhookTarget {
  url: string
  secret: string
  /** The org opted in to batch.progress events. */
  progressEvents: boolean
}

/** Where a batch's events go: its own webhook, else the org default; null when neither is set. */
export function webhookTargetOf(deps: Deps, batch: Pick<BatchRow, 'orgId' | 'webhookUrl' | 'webhookSecret'>): WebhookTarget | null {
  const org = deps.db.select({ url: orgsTable.webhookUrl, secret: orgsTable.webhookSecret, progress: orgsTable.progressEvents }).from(orgsTable).where(eq(orgsTable.id, batch.orgId)).get()
  const progressEvents = org?.progress ?? false
  if (batch.webhookUrl && batch.webhookSecret) return { url: batch.webhookUrl, secret: batch.webhookSecret, progressEvents }
  if (org?.url && org.secret) return { url: org.url, secret: org.secret, progressEvents }
  return null
}

/**
 * The signed results link for a terminal event body. jose signs asynchronously, so call this
 * before the transaction that writes the event. Null when no webhook is configured (nothing to
 * sign for) or no base URL is known. The link is valid 15 minutes from now, like every artifact
 * URL; a receiver that is late asks GET /v1/batches/{id}/artifact-url for a fresh one.
 */
export async function prepareArtifactUrl(deps: Deps, batch: BatchRow): Promise<string | null> {
  if (!webhookTargetOf(deps, batch)) return null
  const base = deps.config.publicUrl ?? deps.baseUrl?.()
  if (!base) return null
  const { token } = await signArtifactToken(deps, { batchId: batch.id, orgId: batch.orgId, kind: 'results' })
  return `${base.replace(/\/+$/, '')}/v1/artifacts/${token}`
}

/**
 * Writes one event for `batch` (its row as of after the state change) in the caller's
 * transaction and returns its id; writes nothing and returns null when no webhook is configured.
 */
export function enqueueBatchEventInTx(deps: Deps, batch: BatchRow, type: WebhookEventType, now: number, opts: { artifactUrl?: string | null; target?: WebhookTarget } = {}): string | null {
  const target = opts.target ?? webhookTargetOf(deps, batch)
  if (!target) return null
  const totals = batchTotals(deps, batch.id)
  const c = totals.counts
  const id = newId('event')
  const body = JSON.stringify(presentEventBody(id, type, now, batch, { completed: c.completed, failed: c.failed + c.cancelled + c.expired, costMicros: totals.costMicros }, opts.artifactUrl ?? null))
  deps.db.insert(webhookEventsTable).values({ id, batchId: batch.id, orgId: batch.orgId, type, body, url: target.url, secret: target.secret, state: 'pending', attempts: 0, nextAttemptAt: now, leaseId: null, createdAt: now, deliveredAt: null }).run()
  return id
}

/** Per database: "has any org opted in to batch.progress", prepared once (it runs in every outcome flush). */
const optInProbes = new WeakMap<Db, { all(): unknown[] }>()

function anyOrgOptedIn(deps: Deps): boolean {
  let probe = optInProbes.get(deps.db)
  if (!probe) {
    probe = deps.db.select({ id: orgsTable.id }).from(orgsTable).where(eq(orgsTable.progressEvents, true)).limit(1).prepare()
    optInProbes.set(deps.db, probe)
  }
  return probe.all().length > 0
}

/**
 * batch.progress for the batches of `itemIds` (items whose outcome was just written) whose org
 * opted in and has a webhook, unless the batch had one in the last 30 s or is finishing (its
 * terminal event follows). Call inside the transaction that wrote the outcomes. Returns how many
 * events were written. Costs one prepared read when no org opted in.
 */
export function enqueueProgressEventsInTx(deps: Deps, itemIds: readonly string[], now: number): number {
  if (itemIds.length === 0) return 0
  if (!anyOrgOptedIn(deps)) return 0
  const touched = new Set<string>()
  for (let i = 0; i < itemIds.length; i += 500) {
    for (const r of deps.db.selectDistinct({ id: itemsTable.batchId }).from(itemsTable).where(inArray(itemsTable.id, itemIds.slice(i, i + 500))).all()) touched.add(r.id)
  }
  const batches = deps.db.select({ batch: batchesTable }).from(batchesTable).innerJoin(orgsTable, eq(orgsTable.id, batchesTable.orgId))
    .where(and(inArray(batchesTable.id, [...touched]), eq(orgsTable.progressEvents, true))).all().map((r) => r.batch)
  let written = 0
  for (const batch of batches) {
    if (isTerminal(batch.status) || batch.status === 'completing' || batch.endIntent !== null) continue
    const last = deps.db.select({ at: webhookEventsTable.createdAt }).from(webhookEventsTable)
      .where(and(eq(webhookEventsTable.batchId, batch.id), eq(webhookEventsTable.type, 'batch.progress'))).orderBy(desc(webhookEventsTable.createdAt)).limit(1).get()
    if (last && now - last.at < PROGRESS_INTERVAL_MS) continue
    if (enqueueBatchEventInTx(deps, batch, 'batch.progress', now)) written++
  }
  return written
}

/** The terminal event for a batch's terminal status. */
export function terminalEventType(status: 'completed' | 'failed' | 'cancelled' | 'expired'): WebhookEventType {
  return `batch.${status}`
}

/** The terminal event finalize writes beside a batch's terminal status (features/batches `TerminalEvent`). */
export const terminalEvent: TerminalEvent = {
  prepare: prepareArtifactUrl,
  writeInTx(deps, ended, now, artifactUrl) {
    const status = ended.status
    if (status === 'completed' || status === 'failed' || status === 'cancelled' || status === 'expired') enqueueBatchEventInTx(deps, ended, terminalEventType(status), now, { artifactUrl })
  },
}
