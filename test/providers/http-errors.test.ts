import { describe, expect, it } from 'bun:test'
import { errorForException, errorForStatus, parseRetryAfter, safeErrorCode } from '../../src/providers/http-errors'

const NOW = Date.parse('2026-08-21T12:00:00Z')

describe('parseRetryAfter', () => {
  it.each([
    [{ 'retry-after': '3' }, 3000],
    [{ 'retry-after': '0.5' }, 500],
    [{ 'retry-after-ms': '250', 'retry-after': '3' }, 250],
    [{ 'retry-after': 'Fri, 21 Aug 2026 12:00:07 GMT' }, 7000],
    [{ 'retry-after': 'Fri, 21 Aug 2026 11:00:00 GMT' }, 0],
    [{ 'retry-after': 'soon' }, undefined],
    [{}, undefined],
  ])('%j → %p ms', (headers, expected) => {
    expect(parseRetryAfter(new Headers(headers as Record<string, string>), NOW)).toBe(expected)
  })
})

describe('errorForStatus', () => {
  it.each([
    [429, 'rate_limited', true],
    [500, 'server_error', true],
    [503, 'server_error', true],
    [400, 'invalid_request', false],
    [404, 'invalid_request', false],
    [422, 'invalid_request', false],
    [401, 'auth', false],
    [403, 'auth', false],
    [408, 'timeout', true],
    [409, 'server_error', true],
    [302, 'server_error', false],
  ] as const)('HTTP %d → %s (retryable %p)', (status, kind, retryable) => {
    expect(errorForStatus(status)).toMatchObject({ kind, retryable, status })
  })

  it('carries retryAfterMs and a safe code', () => {
    expect(errorForStatus(429, { retryAfterMs: 1200, code: 'rate_limit_exceeded' })).toEqual({
      kind: 'rate_limited',
      retryable: true,
      status: 429,
      retryAfterMs: 1200,
      message: 'The provider rate-limited the request (HTTP 429, code rate_limit_exceeded).',
    })
  })
})

describe('safeErrorCode', () => {
  it.each([
    ['rate_limit_exceeded', 'rate_limit_exceeded'],
    [400, '400'],
    ['has spaces in it', undefined],
    ['x'.repeat(65), undefined],
    [null, undefined],
  ])('%p → %p', (code, expected) => {
    expect(safeErrorCode(code)).toBe(expected)
  })
})

describe('errorForException', () => {
  it('tells our timeout, a caller abort and a network failure apart', () => {
    expect(errorForException(new Error('x'), { timedOut: true, aborted: false, timeoutMs: 10 }).kind).toBe('timeout')
    expect(errorForException(new Error('x'), { timedOut: false, aborted: true, timeoutMs: 10 }).kind).toBe('timeout')
    const network = errorForException(Object.assign(new TypeError('secret'), { code: 'ECONNREFUSED' }), { timedOut: false, aborted: false, timeoutMs: 10 })
    expect(network).toMatchObject({ kind: 'network', retryable: true })
    expect(network.message).toContain('ECONNREFUSED')
    expect(network.message).not.toContain('secret')
  })
})
