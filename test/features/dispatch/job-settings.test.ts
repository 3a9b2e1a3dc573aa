/**
 * The breaker's threshold and cool-down and the provider-job poll intervals are config settings
 * (`circuit.*`, `providerJobs.*`, README "Configuration"): validated at start, read from the
 * environment, and obeyed — a threshold of 1 opens a provider's circuit on its first failed job
 * (its items then skip the resend to the same offering), and a job is polled no sooner than
 * `pollMinMs`. Demo app on a fake clock.
 */
import { afterEach, describe, expect, it } from 'bun:test'
import { eq } from 'drizzle-orm'
import { FakeClock } from '../../../src/lib/clock'
import { loadConfig, validateConfig } from '../../../src/config'
import { providerJobsTable } from '../../../src/features/dispatch/table'
import { providerCircuits } from '../../../src/features/routing/index'
import { startTestApp, type TestApp } from '../../helpers/test-app'
import { chatItems, itemRows, newKey, postBatch, setSimScenario } from '../../helpers/batch-helpers'

let app: TestApp | undefined
afterEach(async () => {
  await app?.close()
  app = undefined
})

async function submitted(config: Record<string, unknown>, scenario: Record<string, unknown>, clock: FakeClock) {
  app = await startTestApp({ clock, scheduler: false, config: { demo: true, ...config } })
  await setSimScenario(app, scenario)
  const org = app.newOrg('5.00')
  const res = await postBatch(app, org.auth, { items: chatItems(2, 'gpt-4o-mini', 'settings') }, newKey('settings'))
  expect(res.status).toBe(202)
  await app.runJob('route-batches')
  await app.runJob('dispatch-items')
  await app.settleDispatch()
  const batchId = res.body.id as string
  return { batchId, jobs: () => app!.deps.db.select().from(providerJobsTable).where(eq(providerJobsTable.batchId, batchId)).all() }
}

describe('circuit and poll settings', () => {
  it('validates them and reads them from the environment', () => {
    const config = loadConfig({}, { BATCHROUTER_CIRCUIT_FAILURE_THRESHOLD: '5', BATCHROUTER_CIRCUIT_COOLDOWN_SECONDS: '90', BATCHROUTER_PROVIDER_JOB_POLL_MIN_MS: '2000', BATCHROUTER_PROVIDER_JOB_POLL_MAX_MS: '30000' })
    expect([config.circuit, config.providerJobs]).toEqual([{ failureThreshold: 5, cooldownSeconds: 90 }, { pollMinMs: 2000, pollMaxMs: 30_000 }])
    const defaults = validateConfig({})
    expect([defaults.circuit, defaults.providerJobs]).toEqual([{ failureThreshold: 3, cooldownSeconds: 300 }, { pollMinMs: 1000, pollMaxMs: 60_000 }])
    expect(() => validateConfig({ providerJobs: { pollMinMs: 5000, pollMaxMs: 1000 } })).toThrow(/providerJobs.pollMinMs/)
    expect(() => validateConfig({ circuit: { failureThreshold: 0 } })).toThrow(/circuit.failureThreshold/)
  })

  it('circuit.failureThreshold 1: the first failed job opens the circuit and its items are not resent to that provider', async () => {
    const clock = new FakeClock()
    const { batchId, jobs } = await submitted({ circuit: { failureThreshold: 1, cooldownSeconds: 600 } }, { global: { fail_batch: true, turnaround_s: 60 } }, clock)
    clock.advance(10_000)
    await app!.runJob('collect-results')
    expect(jobs().map((j) => [j.status, j.cause])).toEqual([['failed', 'provider_failed']])
    expect(providerCircuits(app!.deps, clock.now()).get('openai')).toBe('open')
    const items = itemRows(app!, batchId)
    expect(items.map((i) => i.status)).toEqual(['failed', 'failed'])
    expect(items[0]!.errorMessage).toContain('provider reported failed: token_limit_exceeded')
    // Half-open once the configured cool-down has passed.
    clock.advance(600_000)
    expect(providerCircuits(app!.deps, clock.now()).get('openai')).toBe('half_open')
  })

  it('providerJobs.pollMinMs: a young job is polled again no sooner than the configured minimum', async () => {
    const clock = new FakeClock()
    const { jobs } = await submitted({ providerJobs: { pollMinMs: 7000, pollMaxMs: 20_000 } }, { global: { turnaround_s: 600 } }, clock)
    const [job] = jobs()
    expect(job!.status).toBe('running')
    expect(job!.nextPollAt - job!.lastPolledAt!).toBe(7000)
    // An old job waits at most pollMaxMs.
    clock.advance(500_000)
    await app!.runJob('collect-results')
    const [later] = jobs()
    expect(later!.nextPollAt - later!.lastPolledAt!).toBe(20_000)
  })
})
