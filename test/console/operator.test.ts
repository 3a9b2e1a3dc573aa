/**
 * The operator console in a real browser (Debian's chromium through playwright-core): sign in
 * with an admin key, read the overview and provider health, create an org (its key shown once),
 * grant credit with a note and see it in the ledger and the balance, browse all batches and the
 * catalog, and mint a fleet join token, see the node that joined with it and drain it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { json, startTestApp, type TestApp } from '../helpers/test-app'
import { chatItems, newKey, postBatch } from '../helpers/batch-helpers'
import { launchBrowser, unlabelledControls, type TestBrowser } from '../helpers/browser'
import { joinRaw, nodeBody } from '../helpers/fleet'

let app: TestApp
let browser: TestBrowser
let org: ReturnType<TestApp['newOrg']>
let createdOrgId = ''

beforeAll(async () => {
  app = await startTestApp({ config: { demo: true, tickMs: 50 } })
  org = app.newOrg('5')
  // Something to see on the overview and the batches page.
  expect((await postBatch(app, org.auth, { items: chatItems(3, 'gpt-4o-mini', 'op') }, newKey('op'))).status).toBe(202)
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  await app?.close()
})

const page = () => browser.page

describe('operator console', () => {
  it('signs in with an admin key and shows the overview with provider health', async () => {
    await page().goto(`${app.url}/console`)
    await page().getByLabel('API key').fill(app.adminKey())
    await page().getByRole('button', { name: 'Sign in' }).click()
    await page().getByRole('heading', { level: 1, name: 'Operator overview' }).waitFor()
    await expect(page().locator('.role').innerText()).resolves.toMatch(/operator/i)
    const providers = page().getByRole('region', { name: 'Provider health' })
    for (const provider of app.deps.catalog().providers) await providers.locator(`tr[data-provider="${provider.id}"]`).getByText('circuit closed').waitFor()
    await browser.screenshot('operator-overview', { fullPage: true })
  })

  it('mints a join token shown once, lists the node that joined with it, and drains it', async () => {
    await page().getByRole('link', { name: 'Fleet' }).click()
    await page().getByRole('heading', { level: 1, name: 'Fleet' }).waitFor()
    await expect(unlabelledControls(page())).resolves.toEqual([])
    await page().getByLabel('Regions').fill('eu-west-1')
    await page().getByRole('button', { name: 'Mint token' }).click()
    const token = (await page().getByTestId('shown-once-secret').innerText()).trim()
    const joined = await joinRaw(app, token, nodeBody('console-node', ['llama-3.1-8b-instruct']))
    expect(joined.status).toBe(201)
    await page().reload()
    const row = page().locator(`tr[data-node-id="${joined.body.node_id}"]`)
    await row.getByText('online').waitFor()
    await expect(row.innerText()).resolves.toContain('restricted')
    await row.getByRole('button', { name: 'Drain' }).click()
    await row.getByText('draining').waitFor()
    expect((await json(app.request(`/v1/admin/fleet/nodes/${joined.body.node_id}`, { headers: { authorization: `Bearer ${app.adminKey()}` } }))).body.status).toBe('draining')
    await browser.screenshot('operator-fleet', { fullPage: true })
  }, 20_000)

  it('creates an org and shows its first key once', async () => {
    await page().getByRole('link', { name: 'Orgs' }).click()
    await page().getByRole('heading', { level: 1, name: 'Orgs' }).waitFor()
    await expect(unlabelledControls(page())).resolves.toEqual([])
    await page().getByLabel('Org name').fill('Acme research')
    await page().getByLabel('Starting credit (USD)').fill('3.00')
    await page().getByRole('button', { name: 'Create org' }).click()
    const secret = (await page().getByTestId('shown-once-secret').innerText()).trim()
    const account = await json(app.request('/v1/auth/account', { headers: { authorization: `Bearer ${secret}` } }))
    expect(account.body).toMatchObject({ name: 'Acme research', credit_balance: '3.000000' })
    createdOrgId = account.body.org_id
    await page().locator(`tr[data-org-id="${createdOrgId}"]`).waitFor()
    await browser.screenshot('operator-orgs')
  })

  it('grants and adjusts credit with notes: one ledger entry each, shown in the ledger', async () => {
    await page().locator(`tr[data-org-id="${org.orgId}"] a`).click()
    await page().getByRole('heading', { name: 'Grant or adjust credit' }).waitFor()
    await expect(unlabelledControls(page())).resolves.toEqual([])
    await page().getByLabel('Amount (USD)').fill('12.50')
    await page().getByLabel('Note').fill('Console test grant')
    await page().getByRole('button', { name: 'Apply' }).click()
    await page().getByText('Granted $12.500000.').waitFor()
    const ledger = page().getByRole('region', { name: 'Ledger' })
    await ledger.locator('tr', { hasText: 'Console test grant' }).getByText('$12.500000').first().waitFor()
    await browser.screenshot('operator-org', { fullPage: true })
    // A negative amount adjusts down, with its own note.
    await page().getByLabel('Amount (USD)').fill('-2.50')
    await page().getByLabel('Note').fill('Correction')
    await page().getByRole('button', { name: 'Apply' }).click()
    await page().getByText('Adjusted −$2.500000.').waitFor()
    await ledger.locator('tr', { hasText: 'Correction' }).waitFor()
    const entries = (await json(app.request(`/v1/admin/orgs/${org.orgId}/ledger`, { headers: { authorization: `Bearer ${app.adminKey()}` } }))).body.data
    expect(entries.filter((e: any) => e.note === 'Console test grant' || e.note === 'Correction').map((e: any) => [e.kind, e.amount])).toEqual([
      ['adjust', '-2.500000'],
      ['grant', '12.500000'],
    ])
  })

  it('lists every org\'s batches and the ledger by org', async () => {
    await page().getByRole('link', { name: 'Batches', exact: true }).click()
    await page().getByRole('heading', { level: 1, name: 'All batches' }).waitFor()
    await page().getByText(org.orgId).first().waitFor()
    await expect(unlabelledControls(page())).resolves.toEqual([])
    await page().getByRole('link', { name: 'Ledger' }).click()
    await page().getByLabel('Org').selectOption(org.orgId)
    await page().getByRole('region', { name: /^Ledger of/ }).getByText('Console test grant').waitFor()
  })

  it('shows the providers and the catalog', async () => {
    await page().getByRole('link', { name: 'Providers' }).click()
    await page().getByRole('heading', { level: 1, name: 'Providers' }).waitFor()
    // The heading renders before the table's rows arrive; count once they have.
    await page().locator('tr[data-provider]').first().waitFor()
    await expect(page().locator('tr[data-provider]').count()).resolves.toBe(app.deps.catalog().providers.length)
    await browser.screenshot('operator-providers')
    await page().getByRole('link', { name: 'Catalog' }).click()
    await page().getByRole('heading', { level: 1, name: 'Catalog' }).waitFor()
    await page().getByText('gpt-4o-mini', { exact: true }).first().waitFor()
    await expect(page().locator('tbody tr').count()).resolves.toBe(app.deps.catalog().offerings.length)
    await browser.screenshot('operator-catalog')
  })
})
