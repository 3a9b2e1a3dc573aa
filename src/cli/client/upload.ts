/**
 * Getting a local JSONL file to the router once: its SHA-256 is computed by streaming it, an
 * earlier upload with the same bytes is reused (GET /v1/files?sha256=…), else it is uploaded as
 * a raw body (streamed from disk, purpose batch).
 */
import { basename } from 'node:path'
import { existsSync, statSync } from 'node:fs'
import { CliError, EXIT } from '../exit-codes'
import { apiJson, type Connection } from './api'

/** The uploaded (or reused) file and the SHA-256 of the local bytes. */
export interface UploadedFile {
  id: string
  sha256: string
  bytes: number
  lineCount: number | null
  reused: boolean
}

/** Lowercase hex SHA-256 of the file at `path`, read as a stream. */
export async function sha256OfFile(path: string): Promise<string> {
  const hasher = new Bun.CryptoHasher('sha256')
  for await (const chunk of Bun.file(path).stream()) hasher.update(chunk)
  return hasher.digest('hex')
}

/** Checks that `path` is a readable regular file; exit 2 otherwise. */
export function requireInputFile(path: string | undefined, usage: string): string {
  if (!path) throw new CliError(`name the JSONL input file\n\n${usage}`, EXIT.usage)
  if (!existsSync(path) || !statSync(path).isFile()) throw new CliError(`no such file: ${path}`, EXIT.usage)
  return path
}

/** Reuses the org's earlier upload of the same bytes or uploads `path`; returns the file. */
export async function uploadOnce(conn: Connection, path: string): Promise<UploadedFile> {
  const sha256 = await sha256OfFile(path)
  const found = await apiJson<{ data: FileObject[] }>(conn, 'GET', `/v1/files?sha256=${sha256}&purpose=batch&limit=1`)
  const earlier = found.data[0]
  if (earlier) return { id: earlier.id, sha256, bytes: earlier.bytes, lineCount: earlier.line_count ?? null, reused: true }
  const file = Bun.file(path)
  const created = await apiJson<FileObject>(conn, 'POST', '/v1/files', {
    body: file,
    headers: { 'content-type': 'application/jsonl', 'x-batchrouter-purpose': 'batch', 'x-batchrouter-filename': encodeURIComponent(basename(path)) },
    retry: true,
  })
  return { id: created.id, sha256, bytes: created.bytes, lineCount: created.line_count ?? null, reused: false }
}

interface FileObject {
  id: string
  bytes: number
  line_count?: number
}
