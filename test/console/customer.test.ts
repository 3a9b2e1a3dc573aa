/**
 * The customer console in a real browser (Debian's chromium through playwright-core) against a
 * real demo appliance whose scheduler runs on a short tick: sign in, upload a JSONL file, read
 * the quote per lane, submit, watch the progress bar reach 100 %, download the results, cancel a
 * running batch, manage keys (a revoked key is refused, and ends its own session), sign out —
 * with labels, keyboard focus and storage checked on the way. Screenshots land in
 * .artifacts/console/ (docs/console/ with `make screenshots`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { readFileSync } from 'node:fs'
import { json, startTestApp, type TestApp } from '../helpers/test-app'
import { chatItem, chatItems, embeddingItem, jsonl, newKey, postBatch, resetSim, setSimScenario } from '../helpers/batch-helpers'
import { focused, launchBrowser, readableByPage, unlabelledControls, type TestBrowser } from '../helpers/browser'

const ITEMS = [chatItem('greet-1'), chatItem('greet-2'), chatItem('greet-3'), chatItem('haiku-1', 'claude-haiku-4-5'), chatItem('haiku-2', 'claude-haiku-4-5'), embeddingItem('embed-1')]

let app: TestApp
let browser: TestBrowser
let org: ReturnType<TestApp['newOrg']>
let batchId = ''

beforeAll(async () => {
  app = await startTestApp({ config: { demo: true, tickMs: 50 } })
  org = app.newOrg('20')
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  await app?.close()
})

const page = () => browser.page
const accountWith = (key: string) => json(app.request('/v1/auth/account', { headers: { authorization: `Bearer ${key}` } }))

async function signIn(key: string) {
  await page().getByLabel('API key').fill(key)
  await page().getByLabel('API key').press('Enter')
}

describe('customer console', () => {
  it('signs in with a customer key into an HttpOnly cookie; the key is in no storage the page can read', async () => {
    await page().goto(`${app.url}/console`)
    await expect(unlabelledControls(page())).resolves.toEqual([])
    await browser.screenshot('sign-in')
    await signIn(org.key)
    await page().getByRole('heading', { level: 1, name: 'Test org' }).waitFor()
    await page().getByText('$20.000000').first().waitFor()
    const cookies = await browser.context.cookies()
    expect(cookies.map((c) => ({ name: c.name, httpOnly: c.httpOnly, sameSite: c.sameSite, path: c.path }))).toEqual([{ name: 'br_session', httpOnly: true, sameSite: 'Strict', path: '/v1' }])
    const storage = await readableByPage(page())
    expect(storage.local).toBe('{}')
    expect(storage.session).toBe('{}')
    expect(storage.cookie).toBe('')
    expect(storage.html).not.toContain(org.key)
  })

  it('uploads a JSONL file, shows the quote per lane, submits, and the progress bar reaches 100 %', async () => {
    await page().getByRole('link', { name: 'New batch' }).first().click()
    await page().getByRole('heading', { level: 1, name: 'New batch' }).waitFor()
    await expect(unlabelledControls(page())).resolves.toEqual([])
    await page().getByLabel('JSONL file').setInputFiles({ name: 'greetings.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(jsonl(ITEMS)) })
    await page().getByRole('button', { name: 'Upload and get a quote' }).click()
    const quote = page().getByRole('region', { name: 'Quote' })
    await quote.waitFor()
    // One selected lane per model × operation group: gpt-4o-mini, claude-haiku-4-5, the embedding model.
    await expect(quote.locator('tr.selected').count()).resolves.toBe(3)
    await expect(quote.locator('.stat', { hasText: 'Items' }).locator('.stat-value').innerText()).resolves.toBe(String(ITEMS.length))
    await browser.screenshot('new-batch-quote', { fullPage: true })
    await quote.getByRole('button', { name: /^Submit batch/ }).click()
    await page().waitForURL(/#\/batches\/bat_/)
    batchId = decodeURIComponent(page().url().split('#/batches/')[1]!)
    const bar = page().getByRole('progressbar', { name: 'Batch progress' })
    await expect(bar.getAttribute('aria-valuenow', { timeout: 5000 })).resolves.toMatch(/^\d+$/)
    await page().locator('[role="progressbar"][aria-label="Batch progress"][aria-valuenow="100"]').waitFor({ timeout: 60_000 })
    await page().getByText('completed', { exact: true }).first().waitFor()
    await page().getByRole('heading', { name: 'Billing receipt' }).waitFor()
    await page().getByText('settled', { exact: false }).first().waitFor()
    await browser.screenshot('batch-completed', { fullPage: true })
    const stored = await json(app.request(`/v1/batches/${batchId}`, { headers: org.auth }))
    expect({ status: stored.body.batch.status, count: stored.body.batch.item_count }).toEqual({ status: 'completed', count: ITEMS.length })
  })

  it('lists the batch at 100 % and filters by status', async () => {
    await page().getByRole('link', { name: 'Batches', exact: true }).click()
    const row = page().locator(`tr[data-batch-id="${batchId}"]`)
    await row.waitFor()
    await expect(row.getByRole('progressbar').getAttribute('aria-valuenow')).resolves.toBe('100')
    await page().getByLabel('Status').selectOption('failed')
    await page().getByText('No failed batches.').waitFor()
    await page().getByLabel('Status').selectOption('completed')
    await row.waitFor()
  })

  it('downloads the results file through a signed link', async () => {
    await page().locator(`tr[data-batch-id="${batchId}"] a`).click()
    await page().getByRole('heading', { name: 'Downloads' }).waitFor()
    const [download] = await Promise.all([page().waitForEvent('download'), page().getByRole('button', { name: 'Download Results (JSONL)' }).click()])
    const path = await download.path()
    const lines = readFileSync(path!, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    expect(lines.map((l) => l.customer_item_id).sort()).toEqual(ITEMS.map((i) => i.customer_item_id as string).sort())
    expect(lines.every((l) => l.status === 'completed')).toBe(true)
  })

  it('cancels a running batch from its page', async () => {
    // Provider batches now take an hour, so this one is still running when the button is pressed.
    await setSimScenario(app, { global: { turnaround_s: 3600 } })
    const created = await postBatch(app, org.auth, { items: chatItems(4, 'gpt-4o-mini', 'slow') }, newKey('slow'))
    expect(created.status).toBe(202)
    await page().getByRole('link', { name: 'Batches', exact: true }).click()
    await page().getByLabel('Status').selectOption('')
    const row = page().locator(`tr[data-batch-id="${created.body.id}"]`)
    await row.getByText(/^(dispatched|processing)$/).waitFor({ timeout: 30_000 })
    await browser.screenshot('batches')
    await row.getByRole('link').click()
    await page().getByRole('heading', { name: 'Lanes' }).waitFor()
    page().once('dialog', (d) => void d.accept())
    await page().getByRole('button', { name: 'Cancel batch' }).click()
    await page().locator('.batch-status').getByText('cancelled').waitFor({ timeout: 60_000 })
    await expect(page().getByRole('button', { name: 'Cancel batch' }).count()).resolves.toBe(0)
    const stored = await json(app.request(`/v1/batches/${created.body.id}`, { headers: org.auth }))
    expect(stored.body.batch.status).toBe('cancelled')
    await resetSim(app)
  })

  it('shows spend per day on the overview once the batch has settled', async () => {
    await page().getByRole('link', { name: 'Overview' }).click()
    await page().getByTestId('spend-chart').locator('canvas').waitFor()
    const spend = await json(app.request('/v1/auth/account/spend?days=30', { headers: org.auth }))
    expect(Number(spend.body.total)).toBeGreaterThan(0)
    await page().getByText(`$${spend.body.total} in total`).waitFor()
    await browser.screenshot('overview')
  })

  it('creates an API key shown once, revokes it, and the key is refused', async () => {
    await page().getByRole('link', { name: 'API keys' }).click()
    await expect(unlabelledControls(page())).resolves.toEqual([])
    await page().getByLabel('Key name').fill('ci-pipeline')
    await page().getByRole('button', { name: 'Create key' }).click()
    const secret = (await page().getByTestId('shown-once-secret').innerText()).trim()
    expect(secret).toMatch(/^br_live_[0-9A-Za-z]{40}$/)
    expect((await accountWith(secret)).status).toBe(200)
    await browser.screenshot('api-keys')
    page().once('dialog', (d) => void d.accept())
    await page().getByRole('button', { name: /^Revoke ci-pipeline/ }).click()
    await page().locator('tr', { hasText: 'ci-pipeline' }).getByText('revoked').waitFor()
    expect((await accountWith(secret)).status).toBe(401)
    // …and the console refuses it too.
    await page().getByRole('button', { name: 'Sign out' }).click()
    await signIn(secret)
    await page().getByRole('alert').getByText('unauthorized').waitFor()
  })

  it('ends a session on its next request when its own key is revoked', async () => {
    const key = (await json(app.request('/v1/auth/account/api-keys', { method: 'POST', headers: { ...org.auth, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'short-lived' }) }))).body
    await signIn(key.api_key)
    await page().getByRole('heading', { level: 1, name: 'Test org' }).waitFor()
    await page().getByRole('link', { name: 'API keys' }).click()
    page().once('dialog', (d) => void d.accept())
    await page().getByRole('button', { name: /^Revoke short-lived/ }).click()
    await page().getByText('Your session ended').waitFor()
    await page().getByLabel('API key').waitFor()
  })

  it('works from the keyboard: skip link first, visible focus, Enter follows links', async () => {
    await signIn(org.key)
    await page().getByRole('link', { name: 'Overview' }).click()
    await page().reload()
    await page().getByRole('heading', { level: 1, name: 'Test org' }).waitFor()
    await page().keyboard.press('Tab')
    const first = await focused(page())
    expect(first.text).toBe('Skip to content')
    expect(first.ring).not.toBe('none')
    await page().keyboard.press('Enter')
    await expect(focused(page()).then((f) => f.id)).resolves.toBe('main')
    // From the top bar, Tab reaches the navigation; Enter on "Webhooks" opens it.
    await page().getByRole('link', { name: 'Batches', exact: true }).focus()
    await page().keyboard.press('Tab')
    await page().keyboard.press('Tab')
    await page().keyboard.press('Tab')
    const nav = await focused(page())
    expect(nav.text).toBe('Webhooks')
    expect(nav.ring).not.toBe('none')
    await page().keyboard.press('Enter')
    await page().getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor()
    await expect(unlabelledControls(page())).resolves.toEqual([])
    await browser.screenshot('webhooks')
  })

  it('signs out: the cookie is cleared and a reload asks for a key again', async () => {
    await page().getByRole('button', { name: 'Sign out' }).click()
    await page().getByLabel('API key').waitFor()
    expect(await browser.context.cookies()).toEqual([])
    await page().reload()
    await page().getByLabel('API key').waitFor()
  })
})
