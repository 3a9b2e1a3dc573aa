/**
 * A route `parse` hook for JSON bodies that may be omitted: an empty body becomes `{}`, and a
 * non-empty one must be valid JSON (400 invalid_request otherwise). Elysia's own parser silently
 * drops malformed JSON when the body schema is optional, so such routes use this instead.
 * (Plumbing: belongs in http/ once that is free to change.)
 */
import { AppError } from '../../lib/errors'

export async function parseOptionalJson({ request }: { request: Request }): Promise<unknown> {
  const text = await request.text()
  if (text.trim() === '') return {}
  try {
    return JSON.parse(text)
  } catch {
    throw new AppError('invalid_request', { message: 'The request body could not be parsed: send valid JSON with Content-Type: application/json, or no body at all.' })
  }
}
