/** `batchrouter files ls|rm`: the org's uploaded and output files. */
import { CLIENT_OPTIONS, intFlag, parseCommand, usageError } from '../args'
import { EXIT, EXIT_CODES_HELP } from '../exit-codes'
import { formatBytes, formatTime, isJsonOutput, printJson, printTable, runReporting } from '../output'
import { apiJson, resolveConnection } from './api'

export const FILES_USAGE = `Usage:
  batchrouter files ls [--limit N] [--purpose PURPOSE]
  batchrouter files rm FILE_ID...

${EXIT_CODES_HELP}`

const OPTIONS = { ...CLIENT_OPTIONS, limit: { type: 'string' }, purpose: { type: 'string' } } as const

interface FileView {
  id: string
  filename: string
  purpose: string
  bytes: number
  line_count?: number
  created_at: number
}

/** Entry of the `files` group; returns the exit code. */
export async function runFilesCommand(argv: string[]): Promise<number> {
  const json = isJsonOutput(argv.includes('--json'))
  return runReporting(json, async () => {
    const { values, positionals } = parseCommand(argv, OPTIONS, FILES_USAGE)
    const [sub, ...ids] = positionals
    if (values.help || sub === 'help') {
      console.log(FILES_USAGE)
      return EXIT.ok
    }
    if (sub === 'ls') {
      const query = new URLSearchParams({ limit: String(intFlag(values.limit, 'limit', 100, FILES_USAGE)), ...(values.purpose ? { purpose: values.purpose } : {}) })
      const page = await apiJson<{ data: FileView[]; has_more: boolean }>(resolveConnection(values), 'GET', `/v1/files?${query}`)
      if (json) printJson(page)
      else printTable(['ID', 'FILENAME', 'PURPOSE', 'SIZE', 'LINES', 'CREATED'], page.data.map((f) => [f.id, f.filename, f.purpose, formatBytes(f.bytes), f.line_count === undefined ? '-' : String(f.line_count), formatTime(f.created_at)]), 'no files')
      return EXIT.ok
    }
    if (sub !== 'rm') usageError(sub ? `unknown files command '${sub}'` : 'name a files command', FILES_USAGE)
    if (ids.length === 0) usageError('files rm needs at least one file id (file_…)', FILES_USAGE)
    const conn = resolveConnection(values)
    const deleted = []
    for (const id of ids) {
      deleted.push(await apiJson(conn, 'DELETE', `/v1/files/${encodeURIComponent(id)}`))
      if (!json) console.log(`deleted ${id}`)
    }
    if (json) printJson(ids.length === 1 ? deleted[0] : { object: 'list', data: deleted })
    return EXIT.ok
  })
}
