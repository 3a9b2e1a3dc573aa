/** `POST /v1/files`: picks the form (multipart or raw body) from the Content-Type. */
import type { Deps } from '../../deps'
import { essenceOf } from './content-types'
import type { FileRow } from './table'
import { receiveMultipartUpload } from './upload-multipart'
import { receiveRawUpload } from './upload-raw'

/** Streams the request's upload to files/ and records it; every refusal leaves nothing behind. */
export function receiveUpload(deps: Deps, orgId: string, request: Request): Promise<FileRow> {
  return essenceOf(request.headers.get('content-type')) === 'multipart/form-data'
    ? receiveMultipartUpload(deps, orgId, request)
    : receiveRawUpload(deps, orgId, request)
}
