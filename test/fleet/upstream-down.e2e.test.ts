/**
 * An edge node whose model server stops answering (real processes): it reports its upstream
 * `down` on the next heartbeat, answers /readyz 503, leases nothing and its lane leaves the
 * router's catalog; when the server is back it reports `ok` and its lane returns.
 */
import { afterAll, describe, expect, it } from 'bun:test'
import { join } from 'node:path'
import { runCliPiped } from '../helpers/cli-run'
import { apiClient, freePort, removeDir, startEdgeProcess, startServerProcess, startSimProcess, tempDir, waitFor, type Child } from '../helpers/process'

const children: Child[] = []
const root = tempDir('br-fleet-down-')
afterAll(async () => {
  await Promise.all(children.map((c) => c.stop('SIGKILL')))
  removeDir(root)
})

describe('an edge node whose upstream goes down (real processes)', () => {
  it('reports down, leases nothing and leaves the catalog; comes back when the upstream does', async () => {
    const simPort = await freePort()
    let upstream = await startSimProcess({ port: simPort })
    children.push(upstream)
    const server = await startServerProcess({ dataDir: join(root, 'router'), config: { tickMs: 50, fleet: { heartbeatSeconds: 1 } } })
    children.push(server)
    const minted = await runCliPiped(['fleet', 'token', 'create', '--trust', 'restricted', '--region', 'eu-west-1', '--data-dir', server.dataDir, '--json'])
    const node = await startEdgeProcess({ router: server.url, upstream: `${upstream.url}/v1`, joinToken: JSON.parse(minted.stdout).join_token, dataDir: join(root, 'node'), name: 'flaky', models: 'llama-3.1-8b-instruct' })
    children.push(node)
    const admin = apiClient(server.url, JSON.parse((await runCliPiped(['keys', 'create', '--admin', '--data-dir', server.dataDir, '--json'])).stdout).api_key)
    const lanes = async () => JSON.stringify((await (await fetch(`${server.url}/v1/catalog/models`)).json()) as unknown).includes('edge:llama-3.1-8b-instruct:restricted:eu-west-1')
    expect(await lanes()).toBe(true)
    await upstream.stop('SIGKILL')
    await waitFor('the node to report its upstream down', async () => (await admin.get('/v1/admin/fleet/nodes')).body.data[0].upstream_health === 'down', { timeoutMs: 20_000 })
    expect((await fetch(`${node.healthUrl}/readyz`)).status).toBe(503)
    expect(await lanes()).toBe(false)
    upstream = await startSimProcess({ port: simPort })
    children.push(upstream)
    await waitFor('the node to report ok again', async () => (await admin.get('/v1/admin/fleet/nodes')).body.data[0].upstream_health === 'ok', { timeoutMs: 20_000 })
    await waitFor('the node ready again', async () => (await fetch(`${node.healthUrl}/readyz`)).status === 200, { timeoutMs: 10_000 })
    expect(await lanes()).toBe(true)
  }, 90_000)
})
