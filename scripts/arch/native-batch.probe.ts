/**
 * The run behind the "files a native batch touches" figure of scripts/arch-report.ts, started
 * twice under `bun test --coverage` (lcov): with ARCH_PROBE=idle it starts a demo app on a fake
 * clock, makes an org and reads its account; with ARCH_PROBE=batch it does the same and then
 * creates the README quickstart's native batch (inline items), runs the jobs by hand until the
 * batch ends, and reads the batch and its results. The report counts the files whose lines ran
 * more often in the second run. Not part of `make test` (it lives outside test/).
 */
import { expect, test } from 'bun:test'
import { FakeClock } from '../../src/lib/clock'
import { startTestApp } from '../../test/helpers/test-app'
import { driveToTerminal, getJson, postBatch } from '../../test/helpers/batch-helpers'

const QUICKSTART_ITEMS = [
  { customer_item_id: 'item-1', operation: 'responses', model: 'gpt-4o-mini', input: { messages: [{ role: 'user', content: 'Summarize: BatchRouter routes batch-AI workloads across providers.' }] } },
  { customer_item_id: 'item-2', operation: 'embeddings', model: 'text-embedding-3-small', input: { input: 'BatchRouter routes batch-AI workloads across providers.' } },
]

test(`native batch probe (${process.env.ARCH_PROBE ?? 'idle'})`, async () => {
  const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'))
  const app = await startTestApp({ config: { demo: true }, clock, scheduler: false })
  try {
    const org = app.newOrg('5.00')
    expect((await getJson(app, org.auth, '/v1/auth/account')).status).toBe(200)
    if (process.env.ARCH_PROBE !== 'batch') return
    const created = await postBatch(app, org.auth, { items: QUICKSTART_ITEMS }, 'arch-probe-0001')
    expect(created.status).toBe(202)
    const row = await driveToTerminal(app, clock, created.body.id)
    expect(row.status).toBe('completed')
    expect((await getJson(app, org.auth, `/v1/batches/${created.body.id}`)).body.batch.status).toBe('completed')
    const results = await getJson(app, org.auth, `/v1/batches/${created.body.id}/results`)
    expect(results.body.results.map((r: { status: string }) => r.status)).toEqual(['completed', 'completed'])
  } finally {
    await app.close()
  }
})
