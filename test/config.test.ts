/** src/config.ts: the webhooks section and its env variables (a comma-separated list, a bool). */
import { describe, expect, it } from 'bun:test'
import { rmSync, writeFileSync } from 'node:fs'
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
