/**
 * Page-size and cursor checks for list query parameters. The ranges are checked here rather than
 * in the TypeBox query schemas because Elysia reports range errors on coerced query numbers
 * without the parameter's name, and lets fractions through `t.Numeric`.
 */
import { AppError } from './errors'

/** `limit` or the fallback; throws 400 validation_failed (param `limit`) unless a whole number in 1…max. */
export function pageLimit(limit: number | undefined, opts: { max?: number; fallback?: number } = {}): number {
  const max = opts.max ?? 100
  if (limit === undefined) return opts.fallback ?? 20
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new AppError('validation_failed', { message: `Invalid query parameter 'limit': must be a whole number from 1 to ${max}.`, param: 'limit' })
  }
  return limit
}

/** A numeric `after` cursor; throws 400 validation_failed (param `after`) unless it is a positive safe whole number. */
export function numericCursor(after: number | undefined): number | undefined {
  if (after !== undefined && (!Number.isSafeInteger(after) || after < 1)) {
    throw new AppError('validation_failed', { message: "Invalid query parameter 'after': pass the previous page's last_id.", param: 'after' })
  }
  return after
}
