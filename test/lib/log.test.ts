/**
 * Structured logs (issue 15 item 5): pino JSON lines behind the Log interface, the level from
 * config, and one access line per request — 2xx, 4xx and edge refusals alike — with method, route
 * template, status, duration, request id and the org when known.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { createLog } from '../../src/lib/log'
import { startTestApp, type TestApp } from '../helpers/test-app'

describe('createLog', () => {
  it('writes one JSON object per line with level, ISO time, msg and the fields; filters below the level', () => {
    const lines: string[] = []
    const log = createLog('info', (line) => lines.push(line))
    log.debug('hidden')
    log.info('batch routed', { batch_id: 'bat_1', lanes: 2 })
    log.error('boom', { request_id: 'req_1' })
    expect(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true)
    const parsed = lines.map((l) => JSON.parse(l))
    expect(parsed).toEqual([
      { level: 'info', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), msg: 'batch routed', batch_id: 'bat_1', lanes: 2 },
      { level: 'error', time: expect.any(String), msg: 'boom', request_id: 'req_1' },
    ])
    const silent: string[] = []
    createLog('silent', (l) => silent.push(l)).error('nothing')
    expect(silent).toEqual([])
  })

  it('writes to stdout synchronously by default', async () => {
    const proc = Bun.spawn([process.execPath, '-e', `import { createLog } from '${import.meta.dir}/../../src/lib/log.ts'; createLog('info').info('hello', { n: 1 }); process.exit(0)`], { stdout: 'pipe', stderr: 'pipe' })
    expect(await proc.exited).toBe(0)
    expect(JSON.parse((await new Response(proc.stdout).text()).trim())).toMatchObject({ level: 'info', msg: 'hello', n: 1 })
  })
})

describe('access log', () => {
  const lines: Record<string, unknown>[] = []
  let app: TestApp
  beforeAll(async () => {
    app = await startTestApp({ scheduler: false, log: createLog('info', (l) => lines.push(JSON.parse(l))), config: { demo: true } })
  })
  afterAll(() => app.close())
  const accessLines = () => lines.filter((l) => l.msg === 'request')

  it('logs every request once with method, route template, status, ms, request id and org', async () => {
    const org = app.newOrg()
    const cases: [string, RequestInit, number][] = [
      ['/v1/batches/bat_missing', { headers: org.auth }, 404],
      ['/v1/auth/account', { headers: org.auth }, 200],
      ['/v1/batches', { headers: { authorization: 'Bearer nope' } }, 401],
      ['/v1/quotes/model', { method: 'POST', headers: { ...org.auth, 'content-type': 'text/plain' }, body: 'x' }, 415],
      ['/v1/no/such/route', {}, 404],
    ]
    for (const [path, init, status] of cases) {
      lines.length = 0
      const res = await app.request(path, init)
      expect(res.status).toBe(status)
      expect(accessLines()).toEqual([
        expect.objectContaining({ level: 'info', method: init.method ?? 'GET', status, request_id: res.headers.get('x-request-id'), ms: expect.any(Number) }),
      ])
    }
    lines.length = 0
    await app.request('/v1/batches/bat_missing', { headers: org.auth })
    expect(accessLines()[0]).toMatchObject({ route: '/v1/batches/:id', org_id: org.orgId, status: 404 })
    lines.length = 0
    await app.request('/v1/no/such/route')
    expect(accessLines()[0]).toMatchObject({ route: 'unmatched' })
    expect(accessLines()[0]).not.toHaveProperty('org_id')
  })
})
