/** Reading and writing quote rows. */
import { and, eq } from 'drizzle-orm'
import type { Deps } from '../../deps'
import { AppError } from '../../lib/errors'
import { quotesTable, type QuoteRow } from './table'

/** The org's quote; unknown or foreign → 400 preflight problem is the caller's call, here 404. */
export function findQuote(deps: Deps, orgId: string, quoteId: string): QuoteRow | undefined {
  return deps.db.select().from(quotesTable).where(and(eq(quotesTable.id, quoteId), eq(quotesTable.orgId, orgId))).get()
}

/** A usable quote: exists for this org (else preflight problem), not expired (else 409 quote_expired). */
export function requireLiveQuote(deps: Deps, orgId: string, quoteId: string): QuoteRow {
  const row = findQuote(deps, orgId, quoteId)
  if (!row) throw new AppError('preflight_failed', { message: `Unknown quote '${quoteId}': request a new one with POST /v1/quotes/model.`, param: 'quote_id', details: { preflight: [{ line: null, item: null, code: 'unknown_quote', param: 'quote_id', message: `Unknown quote '${quoteId}'.` }] } })
  if (row.validUntil <= deps.clock.now()) throw new AppError('quote_expired', { message: `Quote ${quoteId} expired at ${new Date(row.validUntil).toISOString()}; request a new one with POST /v1/quotes/model.`, param: 'quote_id' })
  return row
}
