/**
 * The OpenAI multipart upload: a `file` part plus text fields `purpose`, `expires_after[anchor]`,
 * `expires_after[seconds]`, in any order. The file part streams to a temp file as it arrives
 * (JSONL-checked when it may be a batch input); everything is decided once the body has ended,
 * or earlier when the purpose came first.
 */
import type { Deps } from '../../deps'
import { AppError } from '../../http/errors'
import { defaultFilename, inferContentType, isJsonlType, requireAllowedType } from './content-types'
import { isBatchInputPurpose, type UploadPurpose } from './models'
import { boundaryOf, parseMultipart } from './multipart-parser'
import { commitFile } from './store'
import type { FileRow } from './table'
import { parsePurpose, resolveExpiresAt, sanitizeFilename } from './upload-fields'
import { UploadSink, byteLimitFor, largestByteLimit, payloadTooLarge, readBody } from './upload-sink'

const MAX_FIELD_BYTES = 64 * 1024
/** Room for part headers and text fields on top of the file when checking Content-Length. */
const MULTIPART_OVERHEAD = 1024 * 1024

interface FilePart {
  sink: UploadSink
  filename: string | null
  declaredType: string | null
  /** The type from the part header and filename; null until the purpose decides. */
  inferredType: string | null
}

/** Receives a multipart upload into files/; throws 400/413/415 AppErrors and leaves nothing behind. */
export async function receiveMultipartUpload(deps: Deps, orgId: string, request: Request): Promise<FileRow> {
  const boundary = boundaryOf(request.headers.get('content-type') ?? '')
  const declaredLength = Number(request.headers.get('content-length') ?? 0)
  if (declaredLength > largestByteLimit(deps) + MULTIPART_OVERHEAD) throw payloadTooLarge(largestByteLimit(deps), null)

  const fields = new Map<string, string>()
  let purpose: UploadPurpose | null = null
  let file: FilePart | null = null
  let field: { name: string; chunks: Uint8Array[]; bytes: number } | null = null
  let inFile = false
  try {
    for await (const event of parseMultipart(readBody(request.body), boundary)) {
      if (event.kind === 'part' && event.name === 'file') {
        if (file) throw new AppError('invalid_request', { message: "Send exactly one 'file' part.", param: 'file' })
        file = await openFilePart(deps, purpose, event.filename, event.contentType)
        inFile = true
      } else if (event.kind === 'part') {
        field = { name: event.name, chunks: [], bytes: 0 }
      } else if (event.kind === 'data' && inFile) {
        await file!.sink.write(event.chunk)
      } else if (event.kind === 'data' && field) {
        field.bytes += event.chunk.length
        if (field.bytes > MAX_FIELD_BYTES) throw new AppError('invalid_request', { message: `Form field '${field.name.slice(0, 64)}' is longer than ${MAX_FIELD_BYTES} bytes.`, param: field.name })
        field.chunks.push(event.chunk)
      } else if (event.kind === 'part-end' && field) {
        const value = Buffer.concat(field.chunks).toString('utf8')
        fields.set(field.name, value)
        if (field.name === 'purpose' && purpose !== null) throw new AppError('invalid_request', { message: "Send the 'purpose' field once.", param: 'purpose' })
        if (field.name === 'purpose') purpose = parsePurpose(value, 'purpose')
        field = null
      } else if (event.kind === 'part-end') {
        inFile = false
      }
    }
    if (!file) throw new AppError('validation_failed', { message: "The form has no 'file' part: send the file as field 'file'.", param: 'file' })
    if (!purpose) throw new AppError('validation_failed', { message: "The form has no 'purpose' field: send purpose=batch for batch inputs.", param: 'purpose' })
    return await commitFilePart(deps, orgId, file, purpose, fields, request.signal)
  } catch (err) {
    await file?.sink.discard()
    throw err
  }
}

/** Starts the file part: settles its type now when the purpose is known, else defers. */
async function openFilePart(deps: Deps, purpose: UploadPurpose | null, rawName: string | null, declaredType: string | null): Promise<FilePart> {
  const filename = sanitizeFilename(rawName)
  let inferredType = inferContentType(declaredType, filename)
  if (purpose !== null) {
    inferredType = requireAllowedType(inferredType, declaredType, isBatchInputPurpose(purpose))
    const checkJsonl = isBatchInputPurpose(purpose) && isJsonlType(inferredType)
    const sink = await UploadSink.open(deps, { maxBytes: byteLimitFor(deps, purpose), purpose, checkJsonl, strict: true })
    return { sink, filename, declaredType, inferredType }
  }
  // Purpose unknown until later: check speculatively whenever it could turn out to be a batch input.
  const maybeJsonl = inferredType === null || isJsonlType(inferredType)
  const sink = await UploadSink.open(deps, { maxBytes: largestByteLimit(deps), purpose: null, checkJsonl: maybeJsonl, strict: false })
  return { sink, filename, declaredType, inferredType }
}

async function commitFilePart(deps: Deps, orgId: string, file: FilePart, purpose: UploadPurpose, fields: Map<string, string>, signal: AbortSignal): Promise<FileRow> {
  const batchInput = isBatchInputPurpose(purpose)
  const contentType = requireAllowedType(file.inferredType, file.declaredType, batchInput)
  const limit = byteLimitFor(deps, purpose)
  if (file.sink.bytes > limit) throw payloadTooLarge(limit, purpose)
  const lineCount = batchInput && isJsonlType(contentType) ? file.sink.finishJsonl() : null
  const createdAt = deps.clock.now()
  const expiresAt = resolveExpiresAt(purpose, createdAt, fields.get('expires_after[anchor]'), fields.get('expires_after[seconds]'))
  const finished = await file.sink.finish()
  return commitFile(deps, finished, {
    orgId,
    filename: file.filename ?? defaultFilename(contentType),
    purpose,
    contentType,
    lineCount,
    createdAt,
    expiresAt,
  }, signal)
}
