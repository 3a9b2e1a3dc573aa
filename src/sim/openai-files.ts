/**
 * The OpenAI Files API of the simulator (research §A.2): multipart upload (`file`, `purpose`,
 * bracketed `expires_after[…]` fields accepted), retrieve, list with cursor, raw `/content`,
 * delete. Batch output and error files are stored here too, with purpose `batch_output`
 * (file-store.ts keeps them in the simulator's database or directory).
 */
import type { SimFile } from './file-store'
import { serveWithFaults } from './pipeline'
import { invalidRequest, jsonResponse, openAiError, type SimContext, type SimRoute } from './respond'

const PURPOSES = new Set(['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals'])
/** Batch-purpose files expire after 30 days (research §A.2). */
const FILE_TTL_S = 30 * 24 * 3600

/** The OpenAI `FileObject` of a stored file. */
export function presentFile(file: SimFile) {
  const created = Math.floor(file.createdAt / 1000)
  return { id: file.id, object: 'file', bytes: file.bytes, created_at: created, expires_at: created + FILE_TTL_S, filename: file.filename, purpose: file.purpose, status: 'processed', status_details: null }
}

/** Routes of the Files API under `${prefix}/v1/files`. */
export function openAiFileRoutes(prefix: string): SimRoute[] {
  const base = `${prefix}/v1/files`
  const faults = (ctx: SimContext, answer: () => Response | Promise<Response>) => serveWithFaults(ctx, undefined, answer, { countModel: false })
  return [
    { method: 'POST', pattern: base, handle: (ctx) => faults(ctx, () => upload(ctx)) },
    { method: 'GET', pattern: base, handle: (ctx) => faults(ctx, () => list(ctx)) },
    { method: 'GET', pattern: `${base}/:id`, handle: (ctx) => faults(ctx, () => withFile(ctx, (f) => jsonResponse(presentFile(f)))) },
    { method: 'GET', pattern: `${base}/:id/content`, handle: (ctx) => faults(ctx, () => withFile(ctx, (f) => new Response(ctx.state.batch.files.body(f.id), { headers: { 'content-type': 'application/octet-stream' } }))) },
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
  if (!file) return openAiError(404, `No such File object: ${ctx.params.id}`, { param: 'id', type: 'invalid_request_error' })
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
  const stored = ctx.state.batch.files.put({ filename: name, purpose, createdAt: ctx.now() }, new Uint8Array(await file.arrayBuffer()))
  return jsonResponse(presentFile(stored))
}

function list(ctx: SimContext): Response {
  const q = new URL(ctx.request.url).searchParams
  const limit = Math.min(10_000, Math.max(1, Number(q.get('limit') ?? 10_000) || 10_000))
  const { files: page, hasMore } = ctx.state.batch.files.list({ purpose: q.get('purpose') || null, order: q.get('order') === 'asc' ? 'asc' : 'desc', after: q.get('after'), limit })
  return jsonResponse({ object: 'list', data: page.map(presentFile), first_id: page[0]?.id ?? null, last_id: page[page.length - 1]?.id ?? null, has_more: hasMore })
}
