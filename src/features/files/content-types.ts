/**
 * The upload content-type allowlist (contract §2) and inference from a filename when the client
 * sent a generic type (`application/octet-stream`, none, or `text/plain` for a `.jsonl` name).
 */
import { AppError } from '../../lib/errors'

/** Types stored as JSON lines; a batch input of one of these is line-checked at upload. */
export const JSONL_TYPES = ['application/jsonl', 'application/x-ndjson', 'application/jsonlines', 'application/x-jsonlines'] as const

const EXACT_ALLOWED = new Set<string>([
  ...JSONL_TYPES,
  'application/json',
  'application/pdf',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
  'application/rtf',
  'application/xml',
])
const PREFIX_ALLOWED = ['text/', 'image/', 'audio/', 'video/', 'application/vnd.openxmlformats-officedocument.']

/** Types that say nothing about the bytes; the filename decides. */
const GENERIC_TYPES = new Set(['', 'application/octet-stream', 'binary/octet-stream'])

const BY_EXTENSION: Record<string, string> = {
  jsonl: 'application/jsonl',
  ndjson: 'application/x-ndjson',
  json: 'application/json',
  txt: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  html: 'text/html',
  htm: 'text/html',
  xml: 'application/xml',
  rtf: 'application/rtf',
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  m4a: 'audio/mp4',
  ogg: 'audio/ogg',
  flac: 'audio/flac',
  mp4: 'video/mp4',
  webm: 'video/webm',
  mov: 'video/quicktime',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
}

const DEFAULT_EXTENSION: Record<string, string> = Object.fromEntries(Object.entries(BY_EXTENSION).reverse().map(([ext, type]) => [type, ext]))

/** `Text/Plain; charset=utf-8` → `text/plain`. */
export function essenceOf(contentType: string | null | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase()
}

/** True when the type is one the router stores (contract §2). */
export function isAllowedType(essence: string): boolean {
  return EXACT_ALLOWED.has(essence) || PREFIX_ALLOWED.some((prefix) => essence.startsWith(prefix))
}

/** True for the JSON-lines types. */
export function isJsonlType(essence: string): boolean {
  return (JSONL_TYPES as readonly string[]).includes(essence)
}

/** The type implied by a filename's extension, or null. */
export function typeFromFilename(filename: string): string | null {
  const dot = filename.lastIndexOf('.')
  return dot < 0 ? null : (BY_EXTENSION[filename.slice(dot + 1).toLowerCase()] ?? null)
}

/**
 * The type to store, or null when only the purpose can decide (a generic type with no known
 * extension). Never throws; `requireAllowedType` does the refusing.
 */
export function inferContentType(declared: string | null | undefined, filename: string | null): string | null {
  const essence = essenceOf(declared)
  const fromName = filename ? typeFromFilename(filename) : null
  if (GENERIC_TYPES.has(essence)) return fromName
  if (essence === 'text/plain' && fromName && isJsonlType(fromName)) return fromName
  return essence
}

/**
 * Settles an inferred type once the purpose is known: an undecided type of a batch input is JSONL;
 * anything off the allowlist throws 415 unsupported_media_type.
 */
export function requireAllowedType(inferred: string | null, declared: string | null | undefined, isBatchInput: boolean): string {
  const type = inferred ?? (isBatchInput ? 'application/jsonl' : null)
  if (type && isAllowedType(type)) return type
  const shown = type ?? (essenceOf(declared) || 'none')
  throw new AppError('unsupported_media_type', {
    message: `Content type '${shown}' is not accepted. Upload JSONL, JSON, text, images, audio, video, PDF, Word, PowerPoint, Excel, RTF or XML, with its real Content-Type (or a filename with a known extension).`,
    param: 'content-type',
  })
}

/** A default filename for an upload that did not name itself, e.g. `upload.jsonl`. */
export function defaultFilename(type: string): string {
  const ext = DEFAULT_EXTENSION[type] ?? (type.startsWith('text/') ? 'txt' : 'bin')
  return `upload.${ext}`
}

/** Types a browser shows as inert data: served as stored. Everything else (HTML, SVG, XML, …) could run script. */
const SAFE_TO_SERVE_EXACT = new Set<string>([...JSONL_TYPES, 'application/json', 'application/pdf', 'text/plain', 'text/csv', 'text/tab-separated-values', 'text/markdown', 'image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/msword', 'application/vnd.ms-excel', 'application/vnd.ms-powerpoint', 'application/rtf'])
const SAFE_TO_SERVE_PREFIX = ['audio/', 'video/', 'application/vnd.openxmlformats-officedocument.']

/**
 * The Content-Type a stored file is served back with: its own when a browser cannot execute it,
 * else `application/octet-stream` (with nosniff and `attachment`, an uploaded page never runs as
 * this origin).
 */
export function servedContentType(stored: string): string {
  const essence = essenceOf(stored)
  const safe = SAFE_TO_SERVE_EXACT.has(essence) || SAFE_TO_SERVE_PREFIX.some((p) => essence.startsWith(p))
  return safe ? stored : 'application/octet-stream'
}
