/**
 * lib/safe-fetch: the SSRF rules. Nothing here sends traffic off loopback: DNS is a stub
 * resolver, refused requests must never reach the (spy) fetch, and the only real connections go
 * to receivers this file starts on 127.0.0.1.
 */
import { afterAll, describe, expect, it } from 'bun:test'
import { join } from 'node:path'
import { assertAllowHostEntry, assertSafeUrl, isPublicAddress, safeFetch, STRICT_URL_POLICY, systemTransport, UnsafeUrlError, type SafeFetchInit, type SafeFetchTransport, type SafeUrlPolicy } from '../../src/lib/safe-fetch'

const POST = { method: 'POST' as const, headers: { 'content-type': 'application/json' }, body: '{}', timeoutMs: 5_000 }

/** A transport whose resolver answers from `answers` and whose fetch records calls (and refuses to connect). */
function stubTransport(answers: Record<string, string[]>) {
  const calls: Array<{ url: string; init: SafeFetchInit }> = []
  const transport: SafeFetchTransport = {
    resolve: async (host) => {
      if (!(host in answers)) throw new Error(`ENOTFOUND ${host}`)
      return answers[host]!
    },
    fetch: async (url, init) => {
      calls.push({ url, init })
      return new Response(null, { status: 204 })
    },
  }
  return { transport, calls }
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
    return 'sent'
  } catch (err) {
    return err instanceof UnsafeUrlError ? err.reason : `other: ${(err as Error).message}`
  }
}

describe('isPublicAddress', () => {
  const cases: Array<[string, boolean]> = [
    ['8.8.8.8', true], ['1.1.1.1', true], ['93.184.216.34', true], ['2606:4700:4700::1111', true], ['::ffff:8.8.8.8', true],
    ['127.0.0.1', false], ['127.8.9.10', false], ['::1', false], ['10.1.2.3', false], ['172.16.0.1', false], ['172.31.255.254', false],
    ['192.168.0.1', false], ['169.254.169.254', false], ['100.64.0.1', false], ['100.127.255.254', false], ['0.0.0.0', false], ['::', false],
    ['224.0.0.1', false], ['255.255.255.255', false], ['fc00::1', false], ['fd12:3456::1', false], ['fe80::1', false], ['febf::1', false],
    ['ff02::1', false], ['::ffff:127.0.0.1', false], ['::ffff:7f00:1', false], ['::ffff:10.0.0.1', false], ['::ffff:169.254.169.254', false],
    ['::127.0.0.1', false], ['64:ff9b::a00:1', false], ['2002:7f00:1::', false], ['192.0.2.1', false], ['not-an-ip', false], ['', false],
  ]
  for (const [ip, expected] of cases) it(`${ip || '(empty)'} → ${expected ? 'public' : 'refused'}`, () => expect(isPublicAddress(ip)).toBe(expected))
})

describe('assertSafeUrl (static, at configuration time)', () => {
  const reasonOf = (url: string, policy: SafeUrlPolicy = STRICT_URL_POLICY) => {
    try {
      assertSafeUrl(url, policy)
      return 'ok'
    } catch (err) {
      return (err as UnsafeUrlError).reason
    }
  }
  const strict: Array<[string, string]> = [
    ['https://example.com/hook', 'ok'],
    ['https://8.8.8.8/hook', 'ok'],
    ['https://[2606:4700:4700::1111]:8443/h', 'ok'],
    ['http://example.com/hook', 'scheme'],
    ['ftp://example.com/hook', 'scheme'],
    ['file:///etc/passwd', 'scheme'],
    ['not a url', 'invalid_url'],
    ['https://localhost/hook', 'blocked_name'],
    ['https://LOCALHOST./hook', 'blocked_name'],
    ['https://api.localhost/hook', 'blocked_name'],
    ['https://metadata.google.internal/computeMetadata/v1/', 'blocked_name'],
    ['https://127.0.0.1/hook', 'blocked_address'],
    ['https://2130706433/hook', 'blocked_address'], // decimal 127.0.0.1
    ['https://0x7f000001/hook', 'blocked_address'], // hex
    ['https://0x7f.1/hook', 'blocked_address'], // mixed hex shorthand
    ['https://0177.0.0.1/hook', 'blocked_address'], // octal
    ['https://127.1/hook', 'blocked_address'], // short form
    ['https://169.254.169.254/latest/meta-data/', 'blocked_address'],
    ['https://0.0.0.0/hook', 'blocked_address'],
    ['https://[::1]/hook', 'blocked_address'],
    ['https://[::ffff:127.0.0.1]/hook', 'blocked_address'],
    ['https://[fd00::1]/hook', 'blocked_address'],
    ['https://[fe80::1]/hook', 'blocked_address'],
    ['https://10.0.0.1/hook', 'blocked_address'],
    ['https://100.64.1.1/hook', 'blocked_address'],
    ['https://example.com@127.0.0.1/hook', 'userinfo'], // the host is 127.0.0.1
    ['https://127.0.0.1@example.com/hook', 'userinfo'],
    ['https://user:pw@example.com/hook', 'userinfo'],
  ]
  for (const [url, reason] of strict) it(`${url} → ${reason}`, () => expect(reasonOf(url)).toBe(reason))

  const allowLoopbackHttp: SafeUrlPolicy = { allowHosts: ['127.0.0.1', 'receiver.internal', '10.20.0.0/16'], allowHttp: true }
  const allowed: Array<[string, SafeUrlPolicy, string]> = [
    ['http://127.0.0.1:9999/hook', allowLoopbackHttp, 'ok'],
    ['https://127.0.0.1/hook', allowLoopbackHttp, 'ok'],
    ['http://receiver.internal/hook', allowLoopbackHttp, 'ok'],
    ['http://10.20.3.4/hook', allowLoopbackHttp, 'ok'],
    ['http://10.21.3.4/hook', allowLoopbackHttp, 'scheme'], // outside the CIDR
    ['https://10.21.3.4/hook', allowLoopbackHttp, 'blocked_address'],
    ['http://example.com/hook', allowLoopbackHttp, 'scheme'], // http only to allowlisted hosts
    ['http://127.0.0.1/hook', { allowHosts: ['127.0.0.1'], allowHttp: false }, 'scheme'],
    ['https://127.0.0.2/hook', allowLoopbackHttp, 'blocked_address'],
    ['https://localhost/hook', allowLoopbackHttp, 'blocked_name'],
  ]
  for (const [url, policy, reason] of allowed) it(`with allowHosts ${policy.allowHosts.join(',')}${policy.allowHttp ? ' + http' : ''}: ${url} → ${reason}`, () => expect(reasonOf(url, policy)).toBe(reason))

  it('validates allowHosts entries', () => {
    for (const ok of ['127.0.0.1', '::1', '10.0.0.0/8', 'fd00::/8', 'hooks.internal', 'receiver']) expect(() => assertAllowHostEntry(ok)).not.toThrow()
    for (const bad of ['10.0.0.0/99', 'bad host', 'http://x', '1.2.3.4/abc']) expect(() => assertAllowHostEntry(bad)).toThrow()
  })
})

describe('safeFetch with a stub resolver', () => {
  const unsafeAnswers = ['127.0.0.1', '::1', '10.2.3.4', '172.16.5.6', '192.168.1.10', '169.254.169.254', '100.64.0.9', 'fc00::5', 'fd00:1234::1', 'fe80::1', '::ffff:127.0.0.1', '0.0.0.0', '::']
  for (const answer of unsafeAnswers) {
    it(`refuses hooks.example.com resolving to ${answer} before any connection`, async () => {
      const { transport, calls } = stubTransport({ 'hooks.example.com': [answer] })
      expect(await refusal(safeFetch('https://hooks.example.com/h', POST, STRICT_URL_POLICY, transport))).toBe('blocked_address')
      expect(calls).toEqual([])
    })
  }

  it('refuses when any one of several answers is unsafe (no picking the public one)', async () => {
    const { transport, calls } = stubTransport({ 'hooks.example.com': ['93.184.216.34', '10.0.0.1'] })
    expect(await refusal(safeFetch('https://hooks.example.com/h', POST, STRICT_URL_POLICY, transport))).toBe('blocked_address')
    expect(calls).toEqual([])
  })

  it('refuses a name that does not resolve, or resolves to nothing', async () => {
    const { transport, calls } = stubTransport({ 'empty.example.com': [] })
    expect(await refusal(safeFetch('https://nxdomain.example.com/h', POST, STRICT_URL_POLICY, transport))).toBe('unresolvable')
    expect(await refusal(safeFetch('https://empty.example.com/h', POST, STRICT_URL_POLICY, transport))).toBe('unresolvable')
    expect(calls).toEqual([])
  })

  it('refuses unsafe URL forms without resolving them', async () => {
    const { transport, calls } = stubTransport({})
    for (const url of ['https://2130706433/', 'https://0x7f000001/', 'https://localhost/', 'https://example.com@127.0.0.1/', 'http://example.com/', 'https://[::ffff:7f00:1]/']) {
      expect(await refusal(safeFetch(url, POST, STRICT_URL_POLICY, transport))).not.toBe('sent')
    }
    expect(calls).toEqual([])
  })

  it('connects to the checked address, keeping Host and the TLS server name, and never follows redirects', async () => {
    const { transport, calls } = stubTransport({ 'hooks.example.com': ['93.184.216.34', '2606:2800:220:1::1'] })
    await safeFetch('https://hooks.example.com:8443/in?x=1', POST, STRICT_URL_POLICY, transport)
    expect(calls).toHaveLength(1)
    const { url, init } = calls[0]!
    expect(url).toBe('https://93.184.216.34:8443/in?x=1')
    expect((init.headers as Record<string, string>).host).toBe('hooks.example.com:8443')
    expect(init.tls?.serverName).toBe('hooks.example.com')
    expect(init.redirect).toBe('manual')
  })

  it('trusts a name on the allowlist whatever it resolves to', async () => {
    const { transport, calls } = stubTransport({ 'hooks.internal': ['10.9.8.7'] })
    await safeFetch('https://hooks.internal/h', POST, { allowHosts: ['hooks.internal'], allowHttp: false }, transport)
    expect(calls.map((c) => c.url)).toEqual(['https://10.9.8.7/h'])
  })
})

describe('safeFetch against loopback receivers (allowlisted)', () => {
  const seen: Array<{ host: string | null; path: string }> = []
  const target = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: (req) => (seen.push({ host: req.headers.get('host'), path: new URL(req.url).pathname }), new Response('ok')) })
  const redirector = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response(null, { status: 302, headers: { location: `http://127.0.0.1:${target.port}/stolen` } }) })
  const silent = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Promise<Response>(() => {}) })
  const certDir = join(import.meta.dir, 'fixtures')
  const cert = Bun.file(join(certDir, 'hooks-example-test.cert.pem'))
  const tls = Bun.serve({ hostname: '127.0.0.1', port: 0, tls: { cert, key: Bun.file(join(certDir, 'hooks-example-test.key.pem')) }, fetch: (req) => new Response(req.headers.get('host')) })
  afterAll(() => {
    for (const s of [target, redirector, silent, tls]) s.stop(true)
  })
  const policy: SafeUrlPolicy = { allowHosts: ['127.0.0.1', 'receiver.test', 'hooks.example.test'], allowHttp: true }
  const resolveTo127 = { ...systemTransport, resolve: async () => ['127.0.0.1'] }

  it('sends to the resolved address with the original Host header', async () => {
    const res = await safeFetch(`http://receiver.test:${target.port}/hook`, POST, policy, resolveTo127)
    expect(res.status).toBe(200)
    expect(seen.at(-1)).toEqual({ host: `receiver.test:${target.port}`, path: '/hook' })
  })

  it('returns a redirect to loopback as it is, without following it', async () => {
    const before = seen.length
    const res = await safeFetch(`http://127.0.0.1:${redirector.port}/hook`, POST, policy, resolveTo127)
    expect(res.status).toBe(302)
    expect(seen.length).toBe(before)
  })

  it('gives up after the timeout', async () => {
    const err = await safeFetch(`http://127.0.0.1:${silent.port}/hook`, { ...POST, timeoutMs: 100 }, policy, resolveTo127).catch((e) => e)
    expect((err as Error).name).toBe('TimeoutError')
  })

  it('verifies the certificate against the original host name while connecting by IP (Bun fetch tls.serverName)', async () => {
    const ca = await cert.text()
    const withCa: SafeFetchTransport = { resolve: async () => ['127.0.0.1'], fetch: (url, init) => fetch(url, { ...init, tls: { ...init.tls, ca } }) }
    const res = await safeFetch(`https://hooks.example.test:${tls.port}/hook`, POST, policy, withCa)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe(`hooks.example.test:${tls.port}`)
    // Without the server name the certificate (issued to hooks.example.test) does not match 127.0.0.1.
    await expect(fetch(`https://127.0.0.1:${tls.port}/`, { tls: { ca } })).rejects.toThrow()
  })
})
