/** `batchrouter edge` settings: flags over BATCHROUTER_EDGE_* env over the config file's `edge` section over defaults, and usage errors that name the fix. */
import { describe, expect, it } from 'bun:test'
import { EdgeUsageError, fileFlags, parseModels, resolveEdgeOptions } from '../../src/edge-node/options'
import { validateConfig } from '../../src/config'

describe('edge node options', () => {
  it('takes flags first, then env, then the config file, then defaults', () => {
    const file = fileFlags({ router: 'http://file:8080', upstream: 'http://file:11434/v1', joinToken: 'file-token', concurrency: 3, models: ['a', 'b=c'], dataDir: '/var/lib/edge' })
    const opts = resolveEdgeOptions({ router: 'http://flag:8080/v1/' }, { BATCHROUTER_EDGE_CONCURRENCY: '7', BATCHROUTER_EDGE_JOIN_TOKEN: '' }, file)
    expect(opts).toMatchObject({ router: 'http://flag:8080', upstream: 'http://file:11434/v1', joinToken: 'file-token', concurrency: 7, dataDir: '/var/lib/edge', models: [{ model: 'a', served: 'a' }, { model: 'b', served: 'c' }], host: '127.0.0.1', port: 8081 })
  })

  it('names the missing or malformed setting', () => {
    expect(() => resolveEdgeOptions({ upstream: 'http://u/v1' }, {})).toThrow(/--router URL \(or BATCHROUTER_EDGE_ROUTER\) is required/)
    expect(() => resolveEdgeOptions({ router: 'http://r' }, {})).toThrow(/--upstream URL/)
    expect(() => resolveEdgeOptions({ router: 'ftp://r', upstream: 'http://u/v1' }, {})).toThrow(/--router must be an http\(s\) URL/)
    expect(() => resolveEdgeOptions({ router: 'http://r', upstream: 'http://u/v1', concurrency: '0' }, {})).toThrow(EdgeUsageError)
    expect(() => parseModels('a,=b')).toThrow(/--models takes model or slug=served-name/)
  })

  it('lets the router read a config file that also holds the edge section (and refuses unknown edge keys)', () => {
    expect(validateConfig({ edge: { router: 'http://r', concurrency: 2 } }).edge).toEqual({ router: 'http://r', concurrency: 2 })
    expect(() => validateConfig({ edge: { rooter: 'http://r' } })).toThrow()
  })
})
