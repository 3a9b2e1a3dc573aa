import { describe, expect, it } from 'bun:test'
import { checkWebhookUrl, isBlockedIpv4, isBlockedIpv6 } from '../../../src/features/accounts/webhook-url'
import { AppError } from '../../../src/lib/errors'

describe('isBlockedIpv4', () => {
  const cases: Array<[string, boolean]> = [
    ['0.0.0.0', true], ['10.0.0.1', true], ['10.255.255.255', true], ['11.0.0.1', false],
    ['100.63.255.255', false], ['100.64.0.0', true], ['100.127.255.255', true], ['100.128.0.0', false],
    ['127.0.0.1', true], ['127.255.0.9', true], ['169.254.169.254', true], ['169.255.0.1', false],
    ['172.15.255.255', false], ['172.16.0.0', true], ['172.31.255.255', true], ['172.32.0.0', false],
    ['192.168.0.1', true], ['192.169.0.1', false], ['192.0.0.8', true], ['198.18.0.1', true], ['198.20.0.1', false],
    ['224.0.0.1', true], ['239.255.255.250', true], ['255.255.255.255', true],
    ['8.8.8.8', false], ['1.1.1.1', false], ['93.184.216.34', false],
  ]
  for (const [ip, blocked] of cases) it(`${ip} → ${blocked ? 'blocked' : 'allowed'}`, () => expect(isBlockedIpv4(ip)).toBe(blocked))
})

describe('isBlockedIpv6', () => {
  const cases: Array<[string, boolean]> = [
    ['::', true], ['::1', true], ['fe80::1', true], ['febf::1', true], ['fc00::1', true], ['fdff::1', true], ['ff02::1', true],
    ['::ffff:127.0.0.1', true], ['::ffff:7f00:1', true], ['::ffff:a00:1', true], ['::ffff:808:808', false], ['::ffff:8.8.8.8', false],
    ['2001:4860:4860::8888', false], ['2606:4700:4700::1111', false],
  ]
  for (const [ip, blocked] of cases) it(`${ip} → ${blocked ? 'blocked' : 'allowed'}`, () => expect(isBlockedIpv6(ip)).toBe(blocked))
})

describe('checkWebhookUrl', () => {
  const codeOf = (url: string) => {
    try {
      checkWebhookUrl(url)
      return 'ok'
    } catch (err) {
      return (err as AppError).code
    }
  }
  const cases: Array<[string, string]> = [
    ['https://example.com/hook', 'ok'],
    ['https://example.com:8443/hook?x=1', 'ok'],
    ['https://[2606:4700:4700::1111]/hook', 'ok'],
    ['http://example.com/hook', 'unsafe_webhook_url'],
    ['HTTPS://LOCALHOST/hook', 'unsafe_webhook_url'],
    ['https://localhost./hook', 'unsafe_webhook_url'],
    ['https://0x7f000001/hook', 'unsafe_webhook_url'],
    ['https://017700000001/hook', 'unsafe_webhook_url'],
    ['https://127.1/hook', 'unsafe_webhook_url'],
    ['https://[::]/hook', 'unsafe_webhook_url'],
    ['https://:pw@example.com/hook', 'unsafe_webhook_url'],
    ['example.com/hook', 'validation_failed'],
    ['', 'validation_failed'],
  ]
  for (const [url, code] of cases) it(`${JSON.stringify(url)} → ${code}`, () => expect(codeOf(url)).toBe(code))
})
