/**
 * The native raw-body upload: Content-Type is the file's type, Content-Length is required and
 * exact, `X-BatchRouter-Filename` / `X-BatchRouter-Purpose` name and classify it. Type, size and
 * purpose are refused before a byte is read; the body then streams through an UploadSink.
 */
import type { Deps } from '../../deps'
import { AppError } from '../../lib/errors'
import { defaultFilename, inferContentType, isJsonlType, requireAllowedType } from './content-types'
import { isBatchInputPurpose } from './models'
import { commitFile } from './store'
import type { FileRow } from './table'
import { decodeFilenameHeader, parsePurpose, resolveExpiresAt } from './upload-fields'
import { readBody } from './read-body'
import { UploadSink, byteLimitFor, payloadTooLarge } from './upload-sink'

/** Receives a raw upload into files/; throws 411/413/415/400 AppErrors and leaves nothing behind. */
export async function receiveRawUpload(deps: Deps, orgId: string, request: Request): Promise<FileRow> {
  const headers = request.headers
  const declaredLength = requireContentLength(headers)
  const purpose = parsePurpose(headers.get('x-batchrouter-purpose') ?? 'model_input', 'X-BatchRouter-Purpose')
  const givenName = decodeFilenameHeader(headers.get('x-batchrouter-filename'))
  const declaredType = headers.get('content-type')
  const batchInput = isBatchInputPurpose(purpose)
  const contentType = requireAllowedType(inferContentType(declaredType, givenName), declaredType, batchInput)
  const limit = byteLimitFor(deps, purpose)
  if (declaredLength > limit) throw payloadTooLarge(limit, purpose)
  const checkJsonl = batchInput && isJsonlType(contentType)

  const sink = await UploadSink.open(deps, { maxBytes: limit, purpose, checkJsonl, strict: true, yieldToLoop: true })
  try {
    for await (const chunk of readBody(request.body)) {
      if (sink.bytes + chunk.length > declaredLength) throw lengthMismatch(declaredLength, 'longer')
      await sink.write(chunk)
    }
    if (sink.bytes < declaredLength) throw lengthMismatch(declaredLength, 'shorter')
    const lineCount = checkJsonl ? await sink.finishJsonl() : null
    const finished = await sink.finish()
    const createdAt = deps.clock.now()
    return await commitFile(deps, finished, {
      orgId,
      filename: givenName ?? defaultFilename(contentType),
      purpose,
      contentType,
      lineCount,
      createdAt,
      expiresAt: resolveExpiresAt(purpose, createdAt, undefined, undefined),
    }, request.signal)
  } catch (err) {
    await sink.discard()
    throw err
  }
}

/** The exact Content-Length; 411 when absent (chunked raw uploads cannot be size-checked up front). */
function requireContentLength(headers: Headers): number {
  const value = headers.get('content-length')
  if (value === null) {
    throw new AppError('length_required', { message: 'A raw upload needs a Content-Length header with the exact size in bytes (or send multipart/form-data).' })
  }
  if (!/^\d{1,15}$/.test(value.trim())) {
    throw new AppError('invalid_request', { message: `Content-Length '${value.slice(0, 32)}' is not a byte count.`, param: 'content-length' })
  }
  return Number(value.trim())
}

function lengthMismatch(declared: number, which: 'shorter' | 'longer'): AppError {
  return new AppError('invalid_request', { message: `The body is ${which} than its Content-Length of ${declared} bytes: send the exact size.`, param: 'content-length' })
}
