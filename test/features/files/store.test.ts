/** What other features use: storeFileFromPath, getFileForOrg, presentFile (src/features/files/index.ts). */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { getFileForOrg, presentFile, storeFileFromPath } from '../../../src/features/files/index'
import { AppError } from '../../../src/lib/errors'
import { json, startTestApp, type TestApp } from '../../helpers/test-app'
import { jsonlLines, sha256Hex } from './helpers'

let app: TestApp
let org: ReturnType<TestApp['newOrg']>

beforeAll(async () => {
  app = await startTestApp({ scheduler: false })
  org = app.newOrg()
})
afterAll(() => app.close())

describe('storeFileFromPath', () => {
  it('moves a written file into files/, records sha256, bytes and metadata, and serves it', async () => {
    const text = jsonlLines(5)
    const source = join(app.deps.paths.tmp, 'batch-output.jsonl')
    writeFileSync(source, text)
    const expiresAt = app.deps.clock.now() + 3_600_000
    const row = await storeFileFromPath(app.deps, { orgId: org.orgId, sourcePath: source, filename: 'bat_x_output.jsonl', purpose: 'batch_output', contentType: 'application/jsonl', lineCount: 5, expiresAt })
    expect(existsSync(source)).toBe(false)
    expect(row).toMatchObject({ orgId: org.orgId, purpose: 'batch_output', bytes: Buffer.byteLength(text), sha256: sha256Hex(text), lineCount: 5, expiresAt, deletedAt: null })
    const { absolutePath } = getFileForOrg(app.deps, org.orgId, row.id)
    expect(absolutePath).toBe(join(app.deps.paths.files, row.id))
    expect(readFileSync(absolutePath, 'utf8')).toBe(text)
    expect(presentFile(row)).toMatchObject({ id: row.id, file_id: row.id, object: 'file', purpose: 'batch_output', line_count: 5, expires_at: Math.floor(expiresAt / 1000) })
    const listed = await json(app.request('/v1/files?purpose=batch_output', { headers: org.auth }))
    expect(listed.body.data.map((f: { id: string }) => f.id)).toEqual([row.id])
    const content = await app.request(`/v1/files/${row.id}/content`, { headers: org.auth })
    expect(await content.text()).toBe(text)
  })

  it('omits line_count and expiry when not given', async () => {
    const source = join(app.deps.paths.tmp, 'receipt.json')
    writeFileSync(source, '{}')
    const row = await storeFileFromPath(app.deps, { orgId: org.orgId, sourcePath: source, filename: 'receipt.json', purpose: 'batch_output', contentType: 'application/json' })
    const presented = presentFile(row)
    expect(presented.expires_at).toBeNull()
    expect('line_count' in presented).toBe(false)
  })
})

describe('getFileForOrg', () => {
  it("throws 404 not_found for an unknown id and for another org's file", async () => {
    const source = join(app.deps.paths.tmp, 'mine.txt')
    writeFileSync(source, 'hi')
    const row = await storeFileFromPath(app.deps, { orgId: org.orgId, sourcePath: source, filename: 'mine.txt', purpose: 'user_data', contentType: 'text/plain' })
    const other = app.newOrg()
    for (const [orgId, id] of [[other.orgId, row.id], [org.orgId, 'file_missing']] as const) {
      let caught: unknown
      try {
        getFileForOrg(app.deps, orgId, id)
      } catch (err) {
        caught = err
      }
      expect(caught).toBeInstanceOf(AppError)
      expect((caught as AppError).code).toBe('not_found')
    }
  })
})
