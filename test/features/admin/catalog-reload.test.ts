/**
 * POST /v1/admin/catalog/reload: re-reads the config file's `catalog` section, swaps the running
 * catalog (demo wiring kept), audits it; a bad file answers 400 validation_failed and changes
 * nothing; a router started without a config file answers 409 no_config_file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { json, startTestApp, type TestApp } from '../../helpers/test-app'
import { DEFAULT_CATALOG } from '../../../src/features/catalog/default-catalog'
import { SIM_UPSTREAM_PREFIX } from '../../../src/sim/mount'

const OFFERING_ID = 'openhost-llama-3.1-8b-instruct'
const baseOffering = DEFAULT_CATALOG.offerings.find((o) => o.offering_id === OFFERING_ID)!

/** A config file whose catalog overrides the openhost llama offering's input price. */
function catalogFile(inputPer1m: string, pricingUpdatedAt = '2026-02-01T00:00:00Z') {
  return { catalog: { offerings: [{ ...baseOffering, input_per_1m: inputPer1m }], pricing_updated_at: pricingUpdatedAt } }
}

let dir: string
let configPath: string
let app: TestApp
let adminKey: string
const write = (content: unknown) => writeFileSync(configPath, typeof content === 'string' ? content : JSON.stringify(content))
const reload = (headers: Record<string, string> = { authorization: `Bearer ${adminKey}` }) => json(app.request('/v1/admin/catalog/reload', { method: 'POST', headers }))

/** The openhost llama offering's input price as GET /v1/catalog/models shows it. */
async function listedInputPrice(): Promise<string> {
  const { status, body } = await json(app.request('/v1/catalog/models?provider=openhost'))
  expect(status).toBe(200)
  const offering = body.data.flatMap((m: any) => m.provider_offerings).find((o: any) => o.offering_id === OFFERING_ID)
  return offering.pricing.input_per_1m
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'br-reload-'))
  configPath = join(dir, 'batchrouter.json')
  write(catalogFile('0.10'))
  app = await startTestApp({ configFile: configPath, config: { demo: true }, scheduler: false })
  adminKey = app.adminKey()
})
afterAll(async () => {
  await app.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('POST /v1/admin/catalog/reload', () => {
  it('starts with the file\'s catalog', async () => {
    expect(app.deps.config.configPath).toBe(configPath)
    expect(await listedInputPrice()).toBe('0.100000')
  })

  it('answers 200 with counts after a price change, serves the new price, keeps demo wiring and audits it', async () => {
    write(catalogFile('0.12', '2026-03-01T00:00:00Z'))
    const { status, body } = await reload()
    expect(status).toBe(200)
    expect(body).toEqual({ reloaded: true, models: DEFAULT_CATALOG.models.length, offerings: DEFAULT_CATALOG.offerings.length, pricing_updated_at: '2026-03-01T00:00:00.000Z' })
    expect(await listedInputPrice()).toBe('0.120000')
    const catalog = await json(app.request('/v1/catalog/models'))
    expect(catalog.body.pricing_updated_at).toBe('2026-03-01T00:00:00.000Z')
    // Demo mode: every provider still points at the mounted simulator.
    expect(app.deps.catalog().providers.every((p) => p.base_url?.startsWith(`${app.url}${SIM_UPSTREAM_PREFIX}`))).toBe(true)
    const audit = await json(app.request('/v1/admin/audit', { headers: { authorization: `Bearer ${adminKey}` } }))
    expect(audit.body.data[0]).toMatchObject({ action: 'catalog.reload', subject_id: null, detail: { config_path: configPath, offerings: DEFAULT_CATALOG.offerings.length, pricing_updated_at: '2026-03-01T00:00:00.000Z' } })
    expect(audit.body.data[0].actor_key_id).toMatch(/^key_/)
  })

  const badFiles: Array<{ name: string; content: unknown; problem: RegExp }> = [
    { name: 'a file that is not JSON', content: '{"catalog": ', problem: /not valid JSON/ },
    { name: 'a price that fails the schema', content: { catalog: { offerings: [{ ...baseOffering, input_per_1m: 0.5 }] } }, problem: /catalog\.offerings\.0\.input_per_1m/ },
    { name: 'an offering naming an unknown model', content: { catalog: { offerings: [{ ...baseOffering, offering_id: 'x-offering', model: 'no-such-model', input_per_1m: '0.5' }] } }, problem: /unknown model 'no-such-model'/ },
  ]
  for (const bad of badFiles) {
    it(`answers 400 validation_failed for ${bad.name} and keeps the running catalog`, async () => {
      write(bad.content)
      const { status, body } = await reload()
      expect(status).toBe(400)
      expect(body.error.code).toBe('validation_failed')
      expect(body.error.message).toMatch(bad.problem)
      expect(body.error.message).toContain('unchanged')
      expect(await listedInputPrice()).toBe('0.120000')
    })
  }

  it('answers 403 forbidden for a customer key and 401 without a key', async () => {
    write(catalogFile('0.50'))
    const customer = await reload(app.newOrg().auth)
    expect([customer.status, customer.body.error.code]).toEqual([403, 'forbidden'])
    const anonymous = await reload({})
    expect([anonymous.status, anonymous.body.error.code]).toEqual([401, 'unauthorized'])
    expect(await listedInputPrice()).toBe('0.120000')
  })
})

describe('POST /v1/admin/catalog/reload without a config file', () => {
  let bare: TestApp
  beforeAll(async () => {
    bare = await startTestApp({ scheduler: false })
  })
  afterAll(() => bare.close())

  it('answers 409 no_config_file', async () => {
    const { status, body } = await json(bare.request('/v1/admin/catalog/reload', { method: 'POST', headers: { authorization: `Bearer ${bare.adminKey()}` } }))
    expect(status).toBe(409)
    expect(body.error.code).toBe('no_config_file')
    expect(body.error.message).toContain('--config')
  })
})
