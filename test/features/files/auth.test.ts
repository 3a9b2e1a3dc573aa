/** The shared auth contract suite over every /v1/files route (style: every protected route runs it). */
import { afterAll, beforeAll } from 'bun:test'
import { runAuthSuite, type SuiteOrg } from '../../contract/auth-suite'
import { json, startTestApp, type TestApp } from '../../helpers/test-app'
import { jsonlLines, uploadRaw } from './helpers'

let shared: TestApp
beforeAll(async () => {
  shared = await startTestApp({ scheduler: false })
})
afterAll(() => shared.close())
const app = () => shared

/** Uploads a one-line JSONL file owned by `org`; returns its id. */
async function uploadFile(a: TestApp, org: SuiteOrg): Promise<string> {
  const { status, body } = await json(uploadRaw(a, org.auth, jsonlLines(1)))
  if (status !== 200) throw new Error(`upload failed: ${status} ${JSON.stringify(body)}`)
  return body.id
}

runAuthSuite('POST /v1/files', { app, method: 'POST', path: '/v1/files', body: { a: 1 } })
runAuthSuite('GET /v1/files', { app, method: 'GET', path: '/v1/files' })
runAuthSuite('GET /v1/files/{id}', { app, method: 'GET', path: async (a, org) => `/v1/files/${await uploadFile(a, org)}` })
runAuthSuite('GET /v1/files/{id}/content', { app, method: 'GET', path: async (a, org) => `/v1/files/${await uploadFile(a, org)}/content` })
runAuthSuite('DELETE /v1/files/{id}', { app, method: 'DELETE', path: async (a, org) => `/v1/files/${await uploadFile(a, org)}` })
