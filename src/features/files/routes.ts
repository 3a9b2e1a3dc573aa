/** Files routes (contract §2): upload (raw or multipart, streamed), list, get, content, delete. */
import { Elysia, type DocumentDecoration } from 'elysia'
import type { Deps } from '../../deps'
import { customerAuth } from '../api-keys/index'
import { AppError } from '../../lib/errors'
import { pageLimit } from '../../lib/paging'
import { DeletedFile, FileIdParams, FileList, FileObject, ListFilesQuery, UPLOAD_PURPOSES } from './models'
import { presentFile, presentFileList } from './present'
import { deleteFile, getFileForOrg, listFiles, type FileReader } from './service'
import { receiveUpload } from './upload'
import { servedContentType } from './content-types'

const UPLOAD_DESCRIPTION = `Two forms on one path, both streamed to disk:

- **Raw body** (native): \`Content-Type\` is the file's type and \`Content-Length\` its exact size (411 when missing, 413 over the limit, 400 when the body is shorter or longer). Optional headers \`X-BatchRouter-Filename\` (URL-encoded) and \`X-BatchRouter-Purpose\` (default \`model_input\`, the native alias: stored and answered as \`batch\` for JSON lines and \`user_data\` otherwise, so the OpenAI SDKs' types accept every file).
- **multipart/form-data** (OpenAI): fields \`file\` and \`purpose\`, optionally \`expires_after[anchor]=created_at\` and \`expires_after[seconds]\` (3600–2592000), in any order.

Accepted: JSONL/JSON/text, images, audio, video, PDF, Word, PowerPoint, Excel, RTF, XML (else 415). A JSONL batch input (\`model_input\` or \`batch\`) is checked line by line; the first bad line is named in a 400 with \`details.line\`. Batch inputs expire after 30 days by default.`

const UPLOAD_REQUEST_BODY: DocumentDecoration['requestBody'] = {
  required: true,
  content: {
    'multipart/form-data': {
      schema: {
        type: 'object',
        required: ['file', 'purpose'],
        properties: {
          file: { type: 'string', format: 'binary', description: 'The file; any part content type and filename.' },
          purpose: { type: 'string', enum: [...UPLOAD_PURPOSES], example: 'batch' },
          'expires_after[anchor]': { type: 'string', enum: ['created_at'] },
          'expires_after[seconds]': { type: 'integer', minimum: 3600, maximum: 2_592_000, example: 86_400 },
        },
      },
    },
    'application/jsonl': { schema: { type: 'string', format: 'binary', description: 'Raw file bytes; any accepted Content-Type.' } },
  },
}

const UPLOAD_HEADERS: DocumentDecoration['parameters'] = [
  { name: 'X-BatchRouter-Filename', in: 'header', required: false, description: 'Raw form: the URL-encoded filename.', schema: { type: 'string', example: 'requests.jsonl' } },
  { name: 'X-BatchRouter-Purpose', in: 'header', required: false, description: 'Raw form: the purpose (default model_input, answered as batch for JSON lines, user_data otherwise).', schema: { type: 'string', enum: [...UPLOAD_PURPOSES] } },
]

/** `/v1/files`: every route needs a customer key; handlers parse, call the service, present. */
export function filesRoutes(deps: Deps, readerOf: FileReader) {
  return new Elysia({ prefix: '/v1/files', tags: ['Files'] })
    .use(customerAuth(deps))
    .post('/', async ({ request, auth }) => presentFile(await receiveUpload(deps, auth.orgId, request)), {
      parse: 'none',
      response: { 200: FileObject },
      detail: { summary: 'Upload a file', description: UPLOAD_DESCRIPTION, requestBody: UPLOAD_REQUEST_BODY, parameters: UPLOAD_HEADERS },
    })
    .get(
      '/',
      ({ query, auth }) => {
        const { rows, hasMore } = listFiles(deps, auth.orgId, { after: query.after, limit: pageLimit(query.limit, { max: 10_000, fallback: 10_000 }), order: query.order ?? 'desc', purpose: query.purpose, sha256: query.sha256 })
        return presentFileList(rows, hasMore)
      },
      {
        query: ListFilesQuery,
        response: { 200: FileList },
        detail: { summary: 'List files', description: 'The org\'s files, newest first by default. Page with `after` = the previous page\'s `last_id` while `has_more` is true; filter by `purpose`. Deleted files are not listed.' },
      },
    )
    .get('/:id', ({ params, auth }) => presentFile(getFileForOrg(deps, auth.orgId, params.id).row), {
      params: FileIdParams,
      response: { 200: FileObject },
      detail: { summary: 'Retrieve a file', description: 'The file object. Another org\'s file answers 404.' },
    })
    .get(
      '/:id/content',
      async ({ params, auth }) => {
        const { row, absolutePath } = getFileForOrg(deps, auth.orgId, params.id)
        const bytes = Bun.file(absolutePath)
        if (!(await bytes.exists())) {
          deps.log.error('file bytes missing', { file_id: row.id, path: row.path })
          throw new AppError('internal_error', { message: `The bytes of file ${row.id} are missing on the server; contact the operator.` })
        }
        const headers = { 'content-type': servedContentType(row.contentType), 'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(row.filename)}` }
        return new Response(bytes, { headers })
      },
      {
        params: FileIdParams,
        detail: {
          summary: 'Download file content',
          description: 'The raw bytes, streamed, as an attachment with the stored Content-Type (JSONL stays JSONL, not a JSON wrapper) — except types a browser could execute (HTML, SVG, XML, …), which are served as application/octet-stream.',
          responses: { 200: { description: 'The file bytes, with the Content-Type given at upload.', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } } },
        },
      },
    )
    .delete(
      '/:id',
      async ({ params, auth }) => {
        const row = await deleteFile(deps, auth.orgId, params.id, readerOf)
        return { id: row.id, object: 'file' as const, deleted: true as const }
      },
      {
        params: FileIdParams,
        response: { 200: DeletedFile },
        detail: { summary: 'Delete a file', description: 'Removes the bytes; the file is then 404. A file that a running batch reads as its input answers 409 file_in_use.' },
      },
    )
}
