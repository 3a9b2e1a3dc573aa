/**
 * Wire schemas of the Files API (contract §2) and the closed set of purposes. The presenter
 * (`present.ts`) is the only place that builds a FileObject from a row.
 */
import { t, type Static } from 'elysia'
import { isJsonlType } from './content-types'

/** Purposes a client may upload with. Batch inputs are checked as JSON lines at upload. */
export const UPLOAD_PURPOSES = [
  'model_input', // native alias (X-BatchRouter-Purpose): stored as batch (JSON lines) or user_data (anything else)
  'batch', // OpenAI: a batch input file (JSONL); same limits and checks as model_input
  'assistants', // OpenAI: stored as-is
  'fine-tune', // OpenAI: stored as-is
  'vision', // OpenAI: an image used by vision items
  'user_data', // OpenAI: stored as-is
  'evals', // OpenAI: stored as-is
] as const

/** Every purpose a stored file can carry: the uploadable ones plus files the router writes. */
export const FILE_PURPOSES = [
  ...UPLOAD_PURPOSES,
  'batch_output', // written at batch finalize (results, OpenAI output and error files)
] as const

export type UploadPurpose = (typeof UPLOAD_PURPOSES)[number]
export type FilePurpose = (typeof FILE_PURPOSES)[number]

/** Purposes whose files are batch inputs: JSONL-checked, batch byte and line limits. */
export const BATCH_INPUT_PURPOSES: readonly FilePurpose[] = ['model_input', 'batch']

/**
 * The purpose a file is stored and shown with: `model_input` (the native alias, accepted at
 * upload) becomes the OpenAI purpose the SDKs' types know — `batch` for JSON lines, `user_data`
 * for anything else. Rows stored as `model_input` by the first release are shown the same way.
 */
export function openAiPurpose(purpose: string, contentType: string): string {
  if (purpose !== 'model_input') return purpose
  return isJsonlType(contentType) ? 'batch' : 'user_data'
}

/** Stored purposes a `purpose` filter of GET /v1/files matches (`batch` includes first-release `model_input` rows). */
export function storedPurposesFor(filter: string): string[] {
  return filter === 'batch' || filter === 'model_input' ? ['batch', 'model_input'] : [filter]
}

/** True when `value` is a purpose a client may upload with. */
export function isUploadPurpose(value: string): value is UploadPurpose {
  return (UPLOAD_PURPOSES as readonly string[]).includes(value)
}

/** True when files of this purpose are batch inputs. */
export function isBatchInputPurpose(purpose: string): boolean {
  return (BATCH_INPUT_PURPOSES as readonly string[]).includes(purpose)
}

/** `expires_after[seconds]` bounds (OpenAI): one hour to 30 days. */
export const EXPIRES_AFTER_MIN_SECONDS = 3600
export const EXPIRES_AFTER_MAX_SECONDS = 2_592_000

const FILE_EXAMPLE = {
  id: 'file_4fQm2Wc8ZkP0sLr9TgX1aBcD',
  file_id: 'file_4fQm2Wc8ZkP0sLr9TgX1aBcD',
  object: 'file',
  bytes: 120_512,
  created_at: 1_767_225_600,
  expires_at: 1_769_817_600,
  filename: 'requests.jsonl',
  purpose: 'batch',
  status: 'processed',
  content_type: 'application/jsonl',
  sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  line_count: 500,
} as const

/** The file object every files route answers with (contract §2). */
export const FileObject = t.Object(
  {
    id: t.String({ description: 'File id (`file_…`).' }),
    file_id: t.String({ description: 'The same id, under the native field name.' }),
    object: t.Literal('file'),
    bytes: t.Integer({ minimum: 0, description: 'Size in bytes.' }),
    created_at: t.Integer({ description: 'Upload time, unix seconds.' }),
    expires_at: t.Union([t.Integer(), t.Null()], { description: 'When the file expires, unix seconds; batch inputs default to 30 days.' }),
    filename: t.String({ description: 'The name given at upload.' }),
    purpose: t.String({ description: `One of ${FILE_PURPOSES.join(', ')}.` }),
    status: t.Literal('processed', { description: 'Always `processed` once the upload is accepted.' }),
    content_type: t.String({ description: 'The stored content type, served by /content.' }),
    sha256: t.String({ description: 'Lowercase hex SHA-256 of the bytes.' }),
    line_count: t.Optional(t.Integer({ minimum: 0, description: 'Number of JSON lines (batch inputs only).' })),
  },
  { description: 'An OpenAI file object plus native fields.', examples: [FILE_EXAMPLE] },
)

/** GET /v1/files: the OpenAI cursor list envelope. */
export const FileList = t.Object(
  {
    object: t.Literal('list'),
    data: t.Array(FileObject),
    first_id: t.Union([t.String(), t.Null()], { description: 'Id of the first file on this page; null when empty.' }),
    last_id: t.Union([t.String(), t.Null()], { description: 'Id of the last file; pass it as `after` for the next page.' }),
    has_more: t.Boolean({ description: 'True when another page follows.' }),
  },
  { description: 'One page of files.', examples: [{ object: 'list', data: [FILE_EXAMPLE], first_id: FILE_EXAMPLE.id, last_id: FILE_EXAMPLE.id, has_more: false }] },
)

/** GET /v1/files query: cursor, page size, order, purpose filter. */
export const ListFilesQuery = t.Object({
  after: t.Optional(t.String({ description: 'A file id: list the files after it in the chosen order.', examples: ['file_4fQm2Wc8ZkP0sLr9TgX1aBcD'] })),
  limit: t.Optional(t.Integer({ description: 'Page size, 1–10000 (default 10000).', examples: [100] })),
  order: t.Optional(t.Union([t.Literal('asc'), t.Literal('desc')], { default: 'desc', description: 'By creation time; newest first by default.', examples: ['desc'] })),
  purpose: t.Optional(t.String({ description: 'Only files with this purpose.', examples: ['batch'] })),
  sha256: t.Optional(t.String({ pattern: '^[0-9a-f]{64}$', description: 'Native filter: only files whose bytes have this lowercase hex SHA-256 (find an earlier upload of the same file).', examples: ['9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'] })),
})

/** The `{id}` of /v1/files/{id} routes. */
export const FileIdParams = t.Object({
  id: t.String({ description: 'File id (`file_…`).', examples: ['file_4fQm2Wc8ZkP0sLr9TgX1aBcD'] }),
})

/** DELETE /v1/files/{id} answer. */
export const DeletedFile = t.Object(
  { id: t.String(), object: t.Literal('file'), deleted: t.Literal(true) },
  { description: 'Confirmation of a deletion.', examples: [{ id: FILE_EXAMPLE.id, object: 'file', deleted: true }] },
)

export type FileObject = Static<typeof FileObject>
export type FileList = Static<typeof FileList>
export type ListFilesQuery = Static<typeof ListFilesQuery>
export type DeletedFile = Static<typeof DeletedFile>
