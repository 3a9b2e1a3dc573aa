/**
 * Files of the simulator's Files API (uploads and batch output files) in its database. Small
 * files keep their bytes in the row; with a directory, files over INLINE_FILE_BYTES are written
 * to `<dir>/files/<id>` (fsynced before their row commits) and streamed from there, so a 200 MB
 * upload is not held in memory after it is stored.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { simId } from './ids'
import type { SimDb } from './sim-db'

/** Files larger than this live on disk under the simulator's directory (when it has one). */
export const INLINE_FILE_BYTES = 4 * 1024 * 1024
/** Buffered output is written to disk in chunks of this size. */
const FLUSH_BYTES = 1024 * 1024
const FILES_DIR = 'files'

/** A stored file's metadata (its bytes are read through the store). */
export interface SimFile {
  id: string
  filename: string
  purpose: string
  bytes: number
  createdAt: number
}

/** A file written but not yet listed: `insert` adds its row (call it inside the transaction that publishes it). */
export interface StagedFile {
  file: SimFile
  insert(): void
}

/** An open output file: append text, then `close` to stage it. */
export interface FileWriter {
  write(text: string): void
  close(): StagedFile
}

interface FileRow {
  id: string
  filename: string
  purpose: string
  created_at: number
  bytes: number
  path: string | null
}

/** The simulator's files: stored durably, read back whole or streamed, listed, deleted. */
export interface FileStore {
  /** Stores `content` durably and returns the file. */
  put(meta: Omit<SimFile, 'id' | 'bytes'>, content: Uint8Array): SimFile
  /** A writer for a file produced line by line (batch output). */
  writer(meta: Omit<SimFile, 'id' | 'bytes'>): FileWriter
  get(id: string): SimFile | undefined
  /** The whole content (for parsing an input file). */
  content(id: string): Uint8Array
  /** A response body streaming the content. */
  body(id: string): Blob | Uint8Array
  /** Newest first by default; `after` is the last id of the previous page. */
  list(q: { purpose?: string | null; order: 'asc' | 'desc'; after?: string | null; limit: number }): { files: SimFile[]; hasMore: boolean }
  delete(id: string): boolean
  /** Removes every file (reset). */
  clear(): void
}

const present = (r: FileRow): SimFile => ({ id: r.id, filename: r.filename, purpose: r.purpose, bytes: r.bytes, createdAt: r.created_at })
const COLUMNS = 'id, filename, purpose, created_at, bytes, path'

/** The file store over `sim`; removes bytes on disk that no row names (a crash between write and commit). */
export function createFileStore(sim: SimDb): FileStore {
  const { db } = sim
  const filesDir = sim.dir ? join(sim.dir, FILES_DIR) : null
  if (filesDir) {
    mkdirSync(filesDir, { recursive: true, mode: 0o700 })
    sweepOrphans(sim, filesDir)
  }
  const row = (id: string) => db.query<FileRow, [string]>(`SELECT ${COLUMNS} FROM sim_files WHERE id = ?`).get(id)
  const insertRow = (f: SimFile, content: Uint8Array | null, path: string | null) =>
    db.query('INSERT INTO sim_files (id, filename, purpose, created_at, bytes, content, path) VALUES (?, ?, ?, ?, ?, ?, ?)').run(f.id, f.filename, f.purpose, f.createdAt, f.bytes, content, path)

  return {
    put(meta, content) {
      const file = { ...meta, id: simId('file-'), bytes: content.byteLength }
      if (filesDir && content.byteLength > INLINE_FILE_BYTES) {
        writeDurably(join(filesDir, file.id), [content])
        insertRow(file, null, join(FILES_DIR, file.id))
      } else insertRow(file, content, null)
      return file
    },
    writer: (meta) => openWriter(meta, filesDir, insertRow),
    get: (id) => {
      const r = row(id)
      return r ? present(r) : undefined
    },
    content(id) {
      const r = db.query<{ content: Uint8Array | null; path: string | null }, [string]>('SELECT content, path FROM sim_files WHERE id = ?').get(id)
      if (!r) throw new Error(`no file ${id}`)
      return r.path ? new Uint8Array(readFileSync(join(sim.dir!, r.path))) : (r.content ?? new Uint8Array())
    },
    body(id) {
      const r = db.query<{ content: Uint8Array | null; path: string | null }, [string]>('SELECT content, path FROM sim_files WHERE id = ?').get(id)
      if (!r) throw new Error(`no file ${id}`)
      return r.path ? Bun.file(join(sim.dir!, r.path)) : (r.content ?? new Uint8Array())
    },
    list(q) {
      const cursor = q.after ? db.query<{ seq: number }, [string]>('SELECT seq FROM sim_files WHERE id = ?').get(q.after)?.seq ?? null : null
      const [cmp, dir] = q.order === 'asc' ? ['>', 'ASC'] : ['<', 'DESC']
      const rows = db
        .query<FileRow, [string | null, number | null, number]>(`SELECT ${COLUMNS} FROM sim_files WHERE (?1 IS NULL OR purpose = ?1) AND (?2 IS NULL OR seq ${cmp} ?2) ORDER BY seq ${dir} LIMIT ?3`)
        .all(q.purpose ?? null, cursor, q.limit + 1)
      return { files: rows.slice(0, q.limit).map(present), hasMore: rows.length > q.limit }
    },
    delete(id) {
      const r = row(id)
      if (!r) return false
      db.query('DELETE FROM sim_files WHERE id = ?').run(id)
      if (r.path) rmSync(join(sim.dir!, r.path), { force: true })
      return true
    },
    clear() {
      db.exec('DELETE FROM sim_files')
      if (filesDir) for (const name of readdirSync(filesDir)) rmSync(join(filesDir, name), { force: true })
    },
  }
}

/** Writes `chunks` to `path` and fsyncs it, so a committed row never names missing bytes. */
function writeDurably(path: string, chunks: Uint8Array[]): void {
  const fd = openSync(path, 'w', 0o600)
  try {
    for (const chunk of chunks) writeSync(fd, chunk)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** Buffers in memory and spills to `<filesDir>/<id>` once the file outgrows INLINE_FILE_BYTES. */
function openWriter(meta: Omit<SimFile, 'id' | 'bytes'>, filesDir: string | null, insertRow: (f: SimFile, content: Uint8Array | null, path: string | null) => void): FileWriter {
  const id = simId('file-')
  const encoder = new TextEncoder()
  let pending: Uint8Array[] = []
  let pendingBytes = 0
  let total = 0
  let fd: number | null = null
  const flush = () => {
    for (const chunk of pending) writeSync(fd!, chunk)
    pending = []
    pendingBytes = 0
  }
  return {
    write(text) {
      const chunk = encoder.encode(text)
      pending.push(chunk)
      pendingBytes += chunk.byteLength
      total += chunk.byteLength
      if (filesDir && fd === null && total > INLINE_FILE_BYTES) fd = openSync(join(filesDir, id), 'w', 0o600)
      if (fd !== null && pendingBytes >= FLUSH_BYTES) flush()
    },
    close() {
      const file: SimFile = { ...meta, id, bytes: total }
      if (fd !== null) {
        flush()
        fsyncSync(fd)
        closeSync(fd)
        return { file, insert: () => insertRow(file, null, join(FILES_DIR, id)) }
      }
      const content = Buffer.concat(pending)
      return { file, insert: () => insertRow(file, content, null) }
    },
  }
}

function sweepOrphans(sim: SimDb, filesDir: string): void {
  const known = new Set(sim.db.query<{ path: string }, []>('SELECT path FROM sim_files WHERE path IS NOT NULL').all().map((r) => r.path))
  for (const name of readdirSync(filesDir)) if (!known.has(join(FILES_DIR, name))) rmSync(join(filesDir, name), { force: true })
}
