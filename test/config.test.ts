/** src/config.ts: the webhooks section and its env variables (a comma-separated list, a bool). */
import { describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError, loadConfig, validateConfig } from '../src/config'

describe('config webhooks', () => {
  it('defaults to no allowlist and https only', () => {
    expect(loadConfig({}, {}).webhooks).toEqual({ allowHosts: [], allowHttp: false })
  })

  it('reads BATCHROUTER_WEBHOOK_ALLOW_HOSTS (comma-separated) and BATCHROUTER_WEBHOOK_ALLOW_HTTP', () => {
    const config = loadConfig({}, { BATCHROUTER_WEBHOOK_ALLOW_HOSTS: ' 127.0.0.1, hooks.internal ,10.0.0.0/8,,', BATCHROUTER_WEBHOOK_ALLOW_HTTP: '1' })
    expect(config.webhooks).toEqual({ allowHosts: ['127.0.0.1', 'hooks.internal', '10.0.0.0/8'], allowHttp: true })
  })

  it('lets env override one key of a webhooks section from the config file and keep the other', () => {
    const path = join(tmpdir(), `br-config-${crypto.randomUUID()}.json`)
    writeFileSync(path, JSON.stringify({ webhooks: { allowHosts: ['hooks.internal'], allowHttp: true } }))
    try {
      const config = loadConfig({ config: path }, { BATCHROUTER_WEBHOOK_ALLOW_HOSTS: '192.168.0.0/16' })
      expect(config.webhooks).toEqual({ allowHosts: ['192.168.0.0/16'], allowHttp: true })
    } finally {
      rmSync(path, { force: true })
    }
  })

  it('refuses a malformed allowlist entry or a bad bool, naming the key', () => {
    expect(() => validateConfig({ webhooks: { allowHosts: ['10.0.0.0/99'] } })).toThrow(ConfigError)
    expect(() => validateConfig({ webhooks: { allowHosts: ['10.0.0.0/99'] } })).toThrow(/webhooks\.allowHosts/)
    expect(() => loadConfig({}, { BATCHROUTER_WEBHOOK_ALLOW_HTTP: 'maybe' })).toThrow(/BATCHROUTER_WEBHOOK_ALLOW_HTTP/)
  })
})

describe('config limits, rate limits and proxy trust', () => {
  it('defaults to generous limits that no ordinary client reaches, and no proxy trust', () => {
    const config = loadConfig({}, {})
    expect(config.rateLimits).toEqual({ windowSeconds: 60, perKey: 6000, perOrg: 12_000, failedAuthPerAddress: 300, activeBatchesPerOrg: 1000 })
    expect(config.limits.jsonBodyBytes).toBe(16 * 1024 * 1024)
    expect(config.limits.jsonDepth).toBe(64)
    expect(config.trustProxy).toBe(false)
  })

  it('reads every limit from its BATCHROUTER_* variable', () => {
    const config = loadConfig({}, {
      BATCHROUTER_RATE_LIMIT_WINDOW_SECONDS: '10', BATCHROUTER_RATE_LIMIT_PER_KEY: '5', BATCHROUTER_RATE_LIMIT_PER_ORG: '7', BATCHROUTER_RATE_LIMIT_FAILED_AUTH: '3',
      BATCHROUTER_MAX_ACTIVE_BATCHES: '2', BATCHROUTER_JSON_BODY_BYTES: '1024', BATCHROUTER_TRUST_PROXY: 'true',
    })
    expect(config.rateLimits).toEqual({ windowSeconds: 10, perKey: 5, perOrg: 7, failedAuthPerAddress: 3, activeBatchesPerOrg: 2 })
    expect(config.limits.jsonBodyBytes).toBe(1024)
    expect(config.trustProxy).toBe(true)
  })

  it('refuses a zero or non-numeric limit, naming it', () => {
    expect(() => validateConfig({ rateLimits: { perKey: 0 } })).toThrow(/rateLimits\.perKey/)
    expect(() => loadConfig({}, { BATCHROUTER_RATE_LIMIT_PER_ORG: 'lots' })).toThrow(/BATCHROUTER_RATE_LIMIT_PER_ORG/)
  })
})

describe('config registration', () => {
  it('is closed by default outside demo mode and open in demo mode', () => {
    expect(loadConfig({}, {}).registration).toBe('closed')
    expect(loadConfig({ demo: true }, {}).registration).toBe('open')
    expect(loadConfig({}, { BATCHROUTER_DEMO: 'true' }).registration).toBe('open')
  })

  it('keeps an explicit setting in either mode', () => {
    expect(loadConfig({}, { BATCHROUTER_REGISTRATION: 'open' }).registration).toBe('open')
    expect(loadConfig({ demo: true }, { BATCHROUTER_REGISTRATION: 'closed' }).registration).toBe('closed')
  })
})

describe('config backups', () => {
  it('is absent by default and fills everyHours 24 and keep 7 when only dir is given', () => {
    expect(loadConfig({}, {}).backups).toBeUndefined()
    expect(validateConfig({ backups: { dir: '/var/backups/batchrouter' } }).backups).toEqual({ dir: '/var/backups/batchrouter', everyHours: 24, keep: 7 })
  })

  it('refuses keep 0 and a non-positive everyHours, naming the key', () => {
    expect(() => validateConfig({ backups: { dir: 'b', keep: 0 } })).toThrow(/backups\.keep/)
    expect(() => validateConfig({ backups: { dir: 'b', everyHours: 0 } })).toThrow(/backups\.everyHours/)
  })
})

describe('config fees.slaMultiplierBps', () => {
  it('defaults to flex ×0.95, standard ×1, priority ×1.5 and keeps the rest of fees', () => {
    const config = loadConfig({}, {})
    expect(config.fees.slaMultiplierBps).toEqual({ standard: 10_000, flex: 9_500, priority: 15_000 })
    expect(config.fees.batchFeeBps).toBe(590)
  })

  it('reads each tier from the config file and its BATCHROUTER_SLA_*_MULTIPLIER_BPS variable (env wins), leaving the other fees alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'br-config-'))
    const path = join(dir, 'config.json')
    writeFileSync(path, JSON.stringify({ fees: { batchFeeBps: 300, slaMultiplierBps: { flex: 8_000, priority: 20_000 } } }))
    try {
      const fromFile = loadConfig({ config: path }, {})
      expect(fromFile.fees.slaMultiplierBps).toEqual({ standard: 10_000, flex: 8_000, priority: 20_000 })
      const withEnv = loadConfig({ config: path }, { BATCHROUTER_SLA_FLEX_MULTIPLIER_BPS: '7000', BATCHROUTER_SLA_STANDARD_MULTIPLIER_BPS: '10500' })
      expect(withEnv.fees).toMatchObject({ batchFeeBps: 300, slaMultiplierBps: { standard: 10_500, flex: 7_000, priority: 20_000 } })
      expect(loadConfig({}, { BATCHROUTER_SLA_PRIORITY_MULTIPLIER_BPS: '12500' }).fees.slaMultiplierBps.priority).toBe(12_500)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('refuses a multiplier that is negative, above ×10, fractional or not a number, naming it', () => {
    expect(() => validateConfig({ fees: { slaMultiplierBps: { flex: -1 } } })).toThrow(/fees\.slaMultiplierBps\.flex/)
    expect(() => validateConfig({ fees: { slaMultiplierBps: { priority: 100_001 } } })).toThrow(/fees\.slaMultiplierBps\.priority/)
    expect(() => validateConfig({ fees: { slaMultiplierBps: { flex: 9_500.5 } } })).toThrow(/fees\.slaMultiplierBps\.flex/)
    expect(() => loadConfig({}, { BATCHROUTER_SLA_FLEX_MULTIPLIER_BPS: '0.9' })).toThrow(/BATCHROUTER_SLA_FLEX_MULTIPLIER_BPS/)
  })
})

describe('config jobs.thread', () => {
  it('runs the jobs in the worker by default; BATCHROUTER_JOBS_THREAD or the file chooses the main thread', () => {
    expect(loadConfig({}, {}).jobs.thread).toBe('worker')
    expect(loadConfig({}, { BATCHROUTER_JOBS_THREAD: 'main' }).jobs.thread).toBe('main')
    expect(validateConfig({ jobs: { thread: 'main' } }).jobs.thread).toBe('main')
  })

  it('refuses another value, naming the key', () => {
    expect(() => loadConfig({}, { BATCHROUTER_JOBS_THREAD: 'both' })).toThrow(/jobs\.thread/)
  })
})
