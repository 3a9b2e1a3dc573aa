/**
 * Operator services: orgs, credit grants and adjustments, cross-org batch listing. Every action
 * writes an audit row (actor = admin key id, null for the local CLI) in the same transaction as
 * its effect; credit movements are also ledger entries.
 */
import { and, desc, eq, lt, or, sql } from 'drizzle-orm'
import type { Deps } from '../../deps'
import { writeTx } from '../../db/tx'
import { AppError } from '../../lib/errors'
import { parseMicros } from '../../lib/money'
import { createOrg, getOrg, orgsTable, type NewOrg, type OrgRow } from '../accounts'
import { applyCreditInTx, getBalance, getBalances, listLedgerEntries, type Balance, type CreditResult, type LedgerPage } from '../credits'
import { batchesTable, isBatchStatus, type BatchRow } from '../batches/index'
import { recordAudit } from '../audit'

/** Operator references live in their own namespace so they can never collide with system ones (`reserve:…`, `charge:…`). */
export const operatorReference = (reference: string) => `op:${reference}`

/** Creates an org with its first key; `startingCredit` (USD string) overrides the configured amount. */
export function createOrgAsOperator(deps: Deps, actorKeyId: string | null, input: { name: string; email?: string; startingCredit?: string }): NewOrg & { balance: Balance } {
  const startingCreditMicros = input.startingCredit === undefined ? undefined : (parseMicros(input.startingCredit) ?? undefined)
  const created = writeTx(deps.db, () => {
    const made = createOrg(deps, { name: input.name, email: input.email, startingCreditMicros })
    recordAudit(deps, { actorKeyId, action: 'org.create', subjectId: made.org.id, detail: { name: input.name, email: input.email ?? null, first_key_id: made.apiKeyId } })
    return made
  })
  return { ...created, balance: getBalance(deps, created.org.id) }
}

/**
 * Grants (positive `amount`) or adjusts (negative) an org's credit. Idempotent by `reference`
 * (the original entry comes back with `replayed: true`); 404 for an unknown org, 402 when an
 * adjustment would go below zero, 409 idempotency_key_reused for a reference used differently.
 */
export function applyOperatorCredit(deps: Deps, actorKeyId: string | null, orgId: string, input: { amount: string; note: string; reference: string }): CreditResult {
  const amount = parseMicros(input.amount, { allowNegative: true })
  if (amount === null || amount === 0) {
    throw new AppError('validation_failed', { message: "amount must be a non-zero USD amount with at most 6 decimals, e.g. '25.00' (negative to adjust down).", param: 'amount' })
  }
  const kind = amount > 0 ? 'grant' : 'adjust'
  return writeTx(deps.db, () => {
    getOrg(deps, orgId)
    const result = applyCreditInTx(deps, { orgId, amount, kind, reference: operatorReference(input.reference), note: input.note })
    if (!result.replayed) recordAudit(deps, { actorKeyId, action: kind === 'grant' ? 'credits.grant' : 'credits.adjust', subjectId: orgId, detail: { entry_id: result.entry.id, amount: input.amount, reference: input.reference } })
    return result
  })
}

/** A page of rows ordered newest first by (created_at, id), with `after` = the last id of the previous page. */
interface Page<T> {
  rows: T[]
  hasMore: boolean
}

function invalidCursor(after: string): AppError {
  return new AppError('invalid_request', { message: `Unknown cursor '${after}': pass the last_id of the previous page.`, param: 'after' })
}

/** Orgs newest first, with their balances. */
export function listOrgs(deps: Deps, opts: { after?: string; limit: number }): Page<OrgRow> & { balances: Map<string, Balance> } {
  let where
  if (opts.after !== undefined) {
    const cursor = deps.db.select({ createdAt: orgsTable.createdAt }).from(orgsTable).where(eq(orgsTable.id, opts.after)).get()
    if (!cursor) throw invalidCursor(opts.after)
    where = or(lt(orgsTable.createdAt, cursor.createdAt), and(eq(orgsTable.createdAt, cursor.createdAt), lt(orgsTable.id, opts.after)))
  }
  const rows = deps.db.select().from(orgsTable).where(where).orderBy(desc(orgsTable.createdAt), desc(orgsTable.id)).limit(opts.limit + 1).all()
  const page = rows.slice(0, opts.limit)
  return { rows: page, hasMore: rows.length > opts.limit, balances: getBalances(deps, page.map((o) => o.id)) }
}

/** One org with its balance; 404 when unknown. */
export function getOrgWithBalance(deps: Deps, orgId: string): { org: OrgRow; balance: Balance } {
  return { org: getOrg(deps, orgId), balance: getBalance(deps, orgId) }
}

/** An org's ledger, newest first; 404 when the org is unknown. */
export function listOrgLedger(deps: Deps, orgId: string, opts: { after?: number; limit: number }): LedgerPage {
  getOrg(deps, orgId)
  return listLedgerEntries(deps, orgId, opts)
}

/** Batches across every org, newest first, optionally one org's or one status's. */
export function listAllBatches(deps: Deps, opts: { after?: string; limit: number; orgId?: string; status?: string }): Page<Pick<BatchRow, 'id' | 'orgId' | 'status' | 'createdAt' | 'itemCount'>> {
  let cursorWhere
  if (opts.after !== undefined) {
    const cursor = deps.db.select({ createdAt: batchesTable.createdAt }).from(batchesTable).where(eq(batchesTable.id, opts.after)).get()
    if (!cursor) throw invalidCursor(opts.after)
    cursorWhere = or(lt(batchesTable.createdAt, cursor.createdAt), and(eq(batchesTable.createdAt, cursor.createdAt), lt(batchesTable.id, opts.after)))
  }
  const rows = deps.db
    .select({ id: batchesTable.id, orgId: batchesTable.orgId, status: batchesTable.status, createdAt: batchesTable.createdAt, itemCount: batchesTable.itemCount })
    .from(batchesTable)
    .where(and(cursorWhere, opts.orgId ? eq(batchesTable.orgId, opts.orgId) : undefined, opts.status ? (isBatchStatus(opts.status) ? eq(batchesTable.status, opts.status) : sql`0`) : undefined))
    .orderBy(desc(batchesTable.createdAt), desc(batchesTable.id))
    .limit(opts.limit + 1)
    .all()
  return { rows: rows.slice(0, opts.limit), hasMore: rows.length > opts.limit }
}
