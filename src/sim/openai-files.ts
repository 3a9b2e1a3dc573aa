/**
 * The OpenAI Files API of the simulator (research §A.2): multipart upload (`file`, `purpose`,
 * bracketed `expires_after[…]` fields accepted), retrieve, list with cursor, raw `/content`,
 * delete. Batch output and error files are stored here too, with purpose `batch_output`.
 */
import { simId, type SimFile } from './batch-store'
import { serveWithFaults } from './pipeline'
import { invalidRequest, jsonResponse, openAiError, type SimContext, type SimRoute } from './respond'
import type { SimState } from './state'

const PURPOSES = new Set(['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals'])
/** Batch-purpose files expire after 30 days (research §A.2). */
const FILE_TTL_S = 30 * 24 * 3600

/** Stores a file and returns it. */
export function storeFile(state: SimState, file: Omit<SimFile, 'id'>): SimFile {
  const stored = { ...file, id: simId('file-') }
  state.batch.files.set(stored.id, stored)
  return stored
}

/** The OpenAI `FileObject` of a stored file. */
export function presentFile(file: SimFile) {
  const created = Math.floor(file.createdAt / 1000)
  return { id: file.id, object: 'file', bytes: file.content.byteLength, created_at: created, expires_at: created + FILE_TTL_S, filename: file.filename, purpose: file.purpose, status: 'processed', status_details: null }
}

/** Routes of the Files API under `${prefix}/v1/files`. */
export function openAiFileRoutes(prefix: string): SimRoute[] {
  const base = `${prefix}/v1/files`
  const faults = (ctx: SimContext, answer: () => Response | Promise<Response>) => serveWithFaults(ctx, undefined, answer, { countModel: false })
  return [
    { method: 'POST', pattern: base, handle: (ctx) => faults(ctx, () => upload(ctx)) },
    { method: 'GET', pattern: base, handle: (ctx) => faults(ctx, () => list(ctx)) },
    { method: 'GET', pattern: `${base}/:id`, handle: (ctx) => faults(ctx, () => withFile(ctx, (f) => jsonResponse(presentFile(f)))) },
    { method: 'GET', pattern: `${base}/:id/content`, handle: (ctx) => faults(ctx, () => withFile(ctx, (f) => new Response(f.content, { headers: { 'content-type': 'application/octet-stream' } }))) },
    {
      method: 'DELETE',
      pattern: `${base}/:id`,
      handle: (ctx) =>
        faults(ctx, () =>
          withFile(ctx, (f) => {
            ctx.state.batch.files.delete(f.id)
            return jsonResponse({ id: f.id, object: 'file', deleted: true })
          }),
        ),
    },
  ]
}

function withFile(ctx: SimContext, fn: (file: SimFile) => Response): Response {
  const file = ctx.state.batch.files.get(decodeURIComponent(ctx.params.id ?? ''))
  if (!file) return openAiError(404, `No such File object: ${ctx.params.id}`, { param: 'id', code: 'file_not_found' })
  return fn(file)
}

async function upload(ctx: SimContext): Promise<Response> {
  let form: Awaited<ReturnType<Request['formData']>>
  try {
    form = await ctx.request.formData()
  } catch {
    return invalidRequest('The body must be multipart/form-data with a file and a purpose.', null)
  }
  const file = form.get('file')
  const purpose = form.get('purpose')
  if (typeof purpose !== 'string' || !PURPOSES.has(purpose)) return invalidRequest(`purpose must be one of ${[...PURPOSES].join(', ')}.`, 'purpose')
  if (file === null || typeof file === 'string') return invalidRequest('A file part named "file" is required.', 'file')
  const name = (file as File).name || 'unknown_file'
  if (purpose === 'batch' && !name.endsWith('.jsonl')) return invalidRequest('Batch input files must be .jsonl files.', 'file')
  const stored = storeFile(ctx.state, { filename: name, purpose, content: new Uint8Array(await file.arrayBuffer()), createdAt: ctx.now() })
  return jsonResponse(presentFile(stored))
}

function list(ctx: SimContext): Response {
  const q = new URL(ctx.request.url).searchParams
  const limit = Math.min(10_000, Math.max(1, Number(q.get('limit') ?? 10_000) || 10_000))
  const purpose = q.get('purpose')
  const order = q.get('order') === 'asc' ? 'asc' : 'desc'
  let files = [...ctx.state.batch.files.values()].filter((f) => !purpose || f.purpose === purpose)
  if (order === 'desc') files.reverse()
  const after = q.get('after')
  if (after) files = files.slice(files.findIndex((f) => f.id === after) + 1)
  const page = files.slice(0, limit)
  return jsonResponse({ object: 'list', data: page.map(presentFile), first_id: page[0]?.id ?? null, last_id: page[page.length - 1]?.id ?? null, has_more: files.length > page.length })
}
