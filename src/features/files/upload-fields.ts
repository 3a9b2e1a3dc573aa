/**
 * Validating the small values that come with an upload — purpose, filename, expiry — for both
 * the raw and the multipart form. Each failure is a 400 naming the field and what to send.
 */
import { AppError } from '../../lib/errors'
import { BATCH_INPUT_TTL_MS } from './store'
import { EXPIRES_AFTER_MAX_SECONDS, EXPIRES_AFTER_MIN_SECONDS, UPLOAD_PURPOSES, isBatchInputPurpose, isUploadPurpose, type UploadPurpose } from './models'

const MAX_FILENAME_CHARS = 255

/** Validates a purpose value; `param` names where it came from (header or form field). */
export function parsePurpose(value: string, param: string): UploadPurpose {
  const purpose = value.trim()
  if (isUploadPurpose(purpose)) return purpose
  throw new AppError('validation_failed', { message: `Unknown purpose '${purpose.slice(0, 64)}': use one of ${UPLOAD_PURPOSES.join(', ')}.`, param })
}

/** Reduces a client filename to a safe base name (no path, no control characters), or null. */
export function sanitizeFilename(name: string | null | undefined): string | null {
  if (!name) return null
  const base = name.split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, '').trim()
  if (base === '' || base === '.' || base === '..') return null
  return base.slice(0, MAX_FILENAME_CHARS)
}

/** Decodes the URL-encoded `X-BatchRouter-Filename` header. */
export function decodeFilenameHeader(value: string | null): string | null {
  if (value === null) return null
  try {
    return sanitizeFilename(decodeURIComponent(value))
  } catch {
    throw new AppError('validation_failed', { message: 'X-BatchRouter-Filename is not valid URL encoding: encode the name with encodeURIComponent.', param: 'X-BatchRouter-Filename' })
  }
}

/**
 * The expiry in unix ms: from `expires_after[anchor]`/`[seconds]` when given (anchor must be
 * `created_at`, seconds 3600–2592000), else 30 days for batch inputs, else none.
 */
export function resolveExpiresAt(purpose: string, createdAtMs: number, anchor: string | undefined, seconds: string | undefined): number | null {
  if (anchor === undefined && seconds === undefined) return isBatchInputPurpose(purpose) ? createdAtMs + BATCH_INPUT_TTL_MS : null
  if (anchor?.trim() !== 'created_at') {
    throw new AppError('validation_failed', { message: "expires_after[anchor] must be 'created_at' (and sent together with expires_after[seconds]).", param: 'expires_after[anchor]' })
  }
  const value = Number(seconds?.trim())
  if (!seconds || !Number.isInteger(value) || value < EXPIRES_AFTER_MIN_SECONDS || value > EXPIRES_AFTER_MAX_SECONDS) {
    throw new AppError('validation_failed', {
      message: `expires_after[seconds] must be a whole number from ${EXPIRES_AFTER_MIN_SECONDS} (1 hour) to ${EXPIRES_AFTER_MAX_SECONDS} (30 days).`,
      param: 'expires_after[seconds]',
    })
  }
  return createdAtMs + value * 1000
}
