/**
 * `batchrouter fleet …` on the data dir of a running router: a join token minted by the CLI lets a
 * node join over HTTP, `fleet nodes` lists it, `fleet revoke` refuses its token from the next
 * request and takes its lanes out of the running router's catalog.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { join } from 'node:path'
import { json, startTestApp, type TestApp } from '../helpers/test-app'
import { removeDir, tempDir } from '../helpers/process'
import { runCliPiped } from '../helpers/cli-run'
import { joinRaw, nodeBody, nodePost } from '../helpers/fleet'
import { parseTtl } from '../../src/cli/operator/fleet'

let root: string
let app: TestApp
let dataDir: string
beforeAll(async () => {
  root = tempDir('br-cli-fleet-')
  dataDir = join(root, 'data')
  app = await startTestApp({ dataDir })
})
afterAll(async () => {
  await app.close()
  removeDir(root)
})

const op = (args: string[]) => runCliPiped([...args, '--data-dir', dataDir])
const laneIds = async () => (await json(app.request('/v1/catalog/models'))).body.data.flatMap((m: any) => m.provider_offerings.map((o: any) => o.offering_id)).filter((id: string) => id.startsWith('edge:'))

describe('batchrouter fleet', () => {
  it('mints a token, lists the node that joined with it, and revokes it while the router runs', async () => {
    const minted = await op(['fleet', 'token', 'create', '--trust', 'restricted', '--region', 'eu-west-1', '--ttl', '1h', '--json'])
    expect(minted.code).toBe(0)
    const token = JSON.parse(minted.stdout)
    expect(token).toMatchObject({ trust_tier: 'restricted', regions: ['eu-west-1'], max_uses: 1 })
    const joined = await joinRaw(app, token.join_token, nodeBody('cli-node', ['llama-3.1-8b-instruct']))
    expect(joined.status).toBe(201)
    expect(await laneIds()).toEqual(['edge:llama-3.1-8b-instruct:restricted:eu-west-1'])
    const nodes = await op(['fleet', 'nodes', '--json'])
    expect(JSON.parse(nodes.stdout).data).toEqual([expect.objectContaining({ node_id: joined.body.node_id, name: 'cli-node', status: 'online', trust_tier: 'restricted' })])
    // Piped stdout is JSON output.
    const revoked = await op(['fleet', 'revoke', joined.body.node_id])
    expect(revoked.code).toBe(0)
    expect(JSON.parse(revoked.stdout)).toMatchObject({ node_id: joined.body.node_id, status: 'revoked' })
    expect((await nodePost(app, { authorization: `Bearer ${joined.body.node_token}` }, '/v1/fleet/heartbeat', { in_flight: 0, health: { upstream: 'ok' } })).status).toBe(401)
    expect(await laneIds()).toEqual([])
    expect(app.deps.db.$client.query("SELECT action FROM audit_log WHERE action LIKE 'fleet.%' ORDER BY id").all().map((r: any) => r.action)).toEqual(['fleet.join_token.create', 'fleet.node.join', 'fleet.node.revoke'])
  }, 60_000)

  it('exits 2 for a bad --trust, a missing --region, an out-of-range --ttl or an unknown node', async () => {
    expect((await op(['fleet', 'token', 'create', '--trust', 'secret', '--region', 'x'])).code).toBe(2)
    expect((await op(['fleet', 'token', 'create', '--trust', 'standard'])).code).toBe(2)
    expect((await op(['fleet', 'token', 'create', '--trust', 'standard', '--region', 'x', '--ttl', '8d'])).code).toBe(2)
    expect((await op(['fleet', 'revoke', 'node_nope'])).code).toBe(2)
  }, 60_000)

  it('reads --ttl as seconds or a duration', () => {
    expect([parseTtl(undefined), parseTtl('90'), parseTtl('30m'), parseTtl('1h'), parseTtl('7d')]).toEqual([3600, 90, 1800, 3600, 604_800])
  })
})
