/**
 * The OpenAI multipart upload: a `file` part plus text fields `purpose`, `expires_after[anchor]`,
 * `expires_after[seconds]`, in any order. The file part streams to a temp file as it arrives
 * (JSONL-checked when it may be a batch input); everything is decided once the body has ended,
 * or earlier when the purpose came first.
 */
import type { Deps } from '../../deps'
import { AppError } from '../../lib/errors'
import { defaultFilename, inferContentType, isJsonlType, requireAllowedType } from './content-types'
import { isBatchInputPurpose, type UploadPurpose } from './models'
import { boundaryOf, parseMultipart, type MultipartEvent } from './multipart-parser'
import { readBody } from './read-body'
import { commitFile } from './store'
import type { FileRow } from './table'
import { parsePurpose, resolveExpiresAt, sanitizeFilename } from './upload-fields'
import { UploadSink, byteLimitFor, largestByteLimit, payloadTooLarge } from './upload-sink'

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
  const form = new FormReceiver(deps)
  try {
    for await (const event of parseMultipart(readBody(request.body), boundary)) await form.accept(event)
    return await form.commit(orgId, request.signal)
  } catch (err) {
    await form.discard()
    throw err
  }
}

/** The state of one multipart body as its events arrive. */
class FormReceiver {
  private readonly fields = new Map<string, string>()
  private purpose: UploadPurpose | null = null
  private file: FilePart | null = null
  private inFile = false
  private field: { name: string; chunks: Uint8Array[]; bytes: number } | null = null

  constructor(private readonly deps: Deps) {}

  async accept(event: MultipartEvent): Promise<void> {
    if (event.kind === 'part' && event.name === 'file') {
      if (this.file) throw new AppError('invalid_request', { message: "Send exactly one 'file' part.", param: 'file' })
      this.file = await this.openFilePart(event.filename, event.contentType)
      this.inFile = true
    } else if (event.kind === 'part') {
      this.field = { name: event.name, chunks: [], bytes: 0 }
    } else if (event.kind === 'data' && this.inFile) {
      await this.file!.sink.write(event.chunk)
    } else if (event.kind === 'data' && this.field) {
      this.field.bytes += event.chunk.length
      if (this.field.bytes > MAX_FIELD_BYTES) throw new AppError('invalid_request', { message: `Form field '${this.field.name.slice(0, 64)}' is longer than ${MAX_FIELD_BYTES} bytes.`, param: this.field.name })
      this.field.chunks.push(event.chunk)
    } else if (event.kind === 'part-end' && this.field) {
      this.endField(this.field.name, Buffer.concat(this.field.chunks).toString('utf8'))
      this.field = null
    } else if (event.kind === 'part-end') {
      this.inFile = false
    }
  }

  /** Settles type, limits, JSONL check and expiry, then moves the file into files/. */
  async commit(orgId: string, signal: AbortSignal): Promise<FileRow> {
    const { file, purpose, deps } = this
    if (!file) throw new AppError('validation_failed', { message: "The form has no 'file' part: send the file as field 'file'.", param: 'file' })
    if (!purpose) throw new AppError('validation_failed', { message: "The form has no 'purpose' field: send purpose=batch for batch inputs.", param: 'purpose' })
    const batchInput = isBatchInputPurpose(purpose)
    const contentType = requireAllowedType(file.inferredType, file.declaredType, batchInput)
    const limit = byteLimitFor(deps, purpose)
    if (file.sink.bytes > limit) throw payloadTooLarge(limit, purpose)
    const lineCount = batchInput && isJsonlType(contentType) ? await file.sink.finishJsonl() : null
    const createdAt = deps.clock.now()
    const expiresAt = resolveExpiresAt(purpose, createdAt, this.fields.get('expires_after[anchor]'), this.fields.get('expires_after[seconds]'))
    const finished = await file.sink.finish()
    const filename = file.filename ?? defaultFilename(contentType)
    return commitFile(deps, finished, { orgId, filename, purpose, contentType, lineCount, createdAt, expiresAt }, signal)
  }

  /** Removes the temp file, if one was started. */
  async discard(): Promise<void> {
    await this.file?.sink.discard()
  }

  private endField(name: string, value: string): void {
    this.fields.set(name, value)
    if (name !== 'purpose') return
    if (this.purpose !== null) throw new AppError('invalid_request', { message: "Send the 'purpose' field once.", param: 'purpose' })
    this.purpose = parsePurpose(value, 'purpose')
  }

  /** Starts the file part: settles its type now when the purpose is known, else defers. */
  private async openFilePart(rawName: string | null, declaredType: string | null): Promise<FilePart> {
    const { deps, purpose } = this
    const filename = sanitizeFilename(rawName)
    const inferred = inferContentType(declaredType, filename)
    if (purpose !== null) {
      const inferredType = requireAllowedType(inferred, declaredType, isBatchInputPurpose(purpose))
      const checkJsonl = isBatchInputPurpose(purpose) && isJsonlType(inferredType)
      const sink = await UploadSink.open(deps, { maxBytes: byteLimitFor(deps, purpose), purpose, checkJsonl, strict: true, yieldToLoop: false })
      return { sink, filename, declaredType, inferredType }
    }
    // Purpose unknown until later: check speculatively whenever it could turn out to be a batch input.
    const checkJsonl = inferred === null || isJsonlType(inferred)
    const sink = await UploadSink.open(deps, { maxBytes: largestByteLimit(deps), purpose: null, checkJsonl, strict: false, yieldToLoop: false })
    return { sink, filename, declaredType, inferredType: inferred }
  }
}
