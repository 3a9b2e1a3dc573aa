/**
 * The fleet over HTTP on a fake clock (contract §11): enrolment, heartbeats and rotation, leases
 * (claim, extend, results with fencing, retries), drain, revoke and the offline sweep — and every
 * error of the contract-test list answers 4xx with the envelope and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { FakeClock } from '../../../src/lib/clock'
import { json, startTestApp, type TestApp } from '../../helpers/test-app'
import { chatItem, itemRows, LLAMA, newKey, postBatch } from '../../helpers/batch-helpers'
import { chatCompletion, completedResults, joinNode, joinRaw, mintJoinToken, nodeBody, nodePost, type JoinedNode } from '../../helpers/fleet'

const clock = new FakeClock(Date.parse('2026-06-01T08:00:00.000Z'))
let app: TestApp
let admin: Record<string, string>
let org: { orgId: string; auth: Record<string, string> }

beforeAll(async () => {
  app = await startTestApp({ clock, scheduler: false, config: { fleet: { heartbeatSeconds: 10, leaseSeconds: 60 } } })
  admin = { authorization: `Bearer ${app.adminKey()}` }
  org = app.newOrg('50')
})
afterAll(() => app.close())

const adminGet = (path: string) => json(app.request(path, { headers: admin }))
const auditActions = () => app.deps.db.$client.query("SELECT action FROM audit_log WHERE action LIKE 'fleet.%' ORDER BY id").all().map((r: any) => r.action)
const snapshot = () => JSON.stringify(app.deps.db.$client.query('SELECT id, status, attempts, lease_id, output, node_id FROM items ORDER BY id').all())

async function restrictedBatch(n: number, tag: string): Promise<string> {
  const res = await postBatch(app, org.auth, { items: Array.from({ length: n }, (_, i) => chatItem(`${tag}-${i}`, LLAMA)), privacy_tier: 'restricted' }, newKey(tag))
  expect(res.status).toBe(202)
  return res.body.id
}

/** Routes waiting batches (their retry is 30 s after the last attempt). */
async function route(): Promise<void> {
  clock.advance(31_000)
  await app.runJob('route-batches')
}

describe('enrolment', () => {
  it('mints a join token shown once, lists it without the secret, and audits it', async () => {
    const minted = await mintJoinToken(app, admin, { trust_tier: 'restricted', regions: ['eu-west-1'], ttl_seconds: 600, name: 'box' })
    expect(minted.status).toBe(201)
    expect(minted.body).toMatchObject({ trust_tier: 'restricted', regions: ['eu-west-1'], max_uses: 1, uses: 0, expires_at: new Date(clock.now() + 600_000).toISOString() })
    expect(minted.body.join_token.split('.')).toHaveLength(3)
    const list = await adminGet('/v1/admin/fleet/join-tokens')
    expect(list.body.data.find((t: any) => t.token_id === minted.body.token_id)).toMatchObject({ uses: 0, revoked_at: null })
    expect(JSON.stringify(list.body)).not.toContain(minted.body.join_token)
    const stored = JSON.stringify(app.deps.db.$client.query('SELECT * FROM fleet_join_tokens').all())
    expect(stored).not.toContain(minted.body.join_token)
    expect(auditActions()).toContain('fleet.join_token.create')
  })

  it('refuses bad join input with the envelope and stores nothing', async () => {
    const nodesBefore = (await adminGet('/v1/admin/fleet/nodes')).body.data.length
    const bad = await mintJoinToken(app, admin, { trust_tier: 'secret', regions: [] })
    expect(bad.status).toBe(400)
    // A region outside the token's: 400 naming the field; the token is not used up.
    const minted = await mintJoinToken(app, admin, { trust_tier: 'standard', regions: ['eu-west-1'] })
    const outside = await joinRaw(app, minted.body.join_token, nodeBody('n', [LLAMA], 2, { regions: ['us-east-1'] }))
    expect(outside.status).toBe(400)
    expect(outside.body.error).toMatchObject({ code: 'validation_failed', param: 'node.regions' })
    // Bad, forged or expired tokens: 401.
    expect((await joinRaw(app, 'not-a-token', nodeBody('n', [LLAMA]))).body.error.code).toBe('unauthorized')
    const forged = minted.body.join_token.slice(0, -4) + 'AAAA'
    expect((await joinRaw(app, forged, nodeBody('n', [LLAMA]))).status).toBe(401)
    const shortLived = await mintJoinToken(app, admin, { trust_tier: 'standard', regions: ['eu-west-1'], ttl_seconds: 60 })
    clock.advance(61_000)
    expect((await joinRaw(app, shortLived.body.join_token, nodeBody('n', [LLAMA]))).status).toBe(401)
    // A revoked token: 401.
    const revoked = await mintJoinToken(app, admin, { trust_tier: 'standard', regions: ['eu-west-1'] })
    expect((await json(app.request(`/v1/admin/fleet/join-tokens/${revoked.body.token_id}`, { method: 'DELETE', headers: admin }))).body.revoked_at).not.toBeNull()
    expect((await joinRaw(app, revoked.body.join_token, nodeBody('n', [LLAMA]))).status).toBe(401)
    expect((await adminGet('/v1/admin/fleet/nodes')).body.data.length).toBe(nodesBefore)
    // The token refused for its region still works once, then is used up.
    expect((await joinRaw(app, minted.body.join_token, nodeBody('n', [LLAMA]))).status).toBe(201)
    const used = await joinRaw(app, minted.body.join_token, nodeBody('n2', [LLAMA]))
    expect(used.status).toBe(401)
    expect(used.body.error.type).toBe('authentication_error')
  })

  it('takes trust tier and regions from the token, never from the node', async () => {
    const minted = await mintJoinToken(app, admin, { trust_tier: 'standard', regions: ['eu-west-1', 'eu-central-1'] })
    const joined = await joinRaw(app, minted.body.join_token, nodeBody('claims', [LLAMA], 2, { regions: ['eu-west-1'], trust_tier: 'restricted' }))
    expect(joined.status).toBe(201)
    expect(joined.body).toMatchObject({ heartbeat_interval_seconds: 10, lease_seconds: 60 })
    const node = await adminGet(`/v1/admin/fleet/nodes/${joined.body.node_id}`)
    expect(node.body).toMatchObject({ trust_tier: 'standard', regions: ['eu-west-1', 'eu-central-1'], status: 'online', active_leases: [] })
    expect(auditActions()).toContain('fleet.node.join')
    await json(app.request(`/v1/admin/fleet/nodes/${joined.body.node_id}`, { method: 'DELETE', headers: admin }))
  })
})

describe('who may call what', () => {
  let node: JoinedNode
  beforeAll(async () => {
    node = await joinNode(app, admin, 'standard', ['some-model'], ['eu-west-1'], 'auth-node')
  })

  it('refuses customer and admin keys on node routes, and node tokens on customer and admin routes', async () => {
    for (const auth of [org.auth, admin]) {
      const res = await nodePost(app, auth, '/v1/fleet/heartbeat', { in_flight: 0, health: { upstream: 'ok' } })
      expect(res.status).toBe(403)
      expect(res.body.error.code).toBe('forbidden')
    }
    for (const path of ['/v1/admin/fleet/nodes', '/v1/auth/account', '/v1/batches']) {
      const res = await json(app.request(path, { headers: node.auth }))
      expect(res.status).toBe(401)
      expect(res.body.error.code).toBe('unauthorized')
    }
    expect((await nodePost(app, {}, '/v1/fleet/leases', { max_items: 1 })).status).toBe(401)
    expect((await nodePost(app, { authorization: 'Bearer eyJ.bad.token' }, '/v1/fleet/leases', { max_items: 1 })).status).toBe(401)
  })

  it('accepts the node token, rotates it in its last quarter, and keeps the old one until it expires', async () => {
    const fresh = await nodePost(app, node.auth, '/v1/fleet/heartbeat', { in_flight: 0, health: { upstream: 'ok' } })
    expect(fresh.body).toEqual({ status: 'online', drain: false })
    // Token life is 1 day by default: at 19 h it is in its last quarter.
    clock.advance(19 * 3600_000)
    const rotated = await nodePost(app, node.auth, '/v1/fleet/heartbeat', { in_flight: 0, health: { upstream: 'ok' } })
    expect(rotated.body.node_token).toBeString()
    const next = { authorization: `Bearer ${rotated.body.node_token}` }
    expect((await nodePost(app, next, '/v1/fleet/heartbeat', { in_flight: 0, health: { upstream: 'ok' } })).body.node_token).toBeUndefined()
    expect((await nodePost(app, node.auth, '/v1/fleet/heartbeat', { in_flight: 0, health: { upstream: 'ok' } })).status).toBe(200)
    clock.advance(6 * 3600_000)
    expect((await nodePost(app, node.auth, '/v1/fleet/heartbeat', { in_flight: 0, health: { upstream: 'ok' } })).status).toBe(401)
    node = { ...node, auth: next }
    expect((await nodePost(app, next, '/v1/fleet/heartbeat', { in_flight: 0, health: { upstream: 'ok' } })).status).toBe(200)
  })
})

describe('leases', () => {
  let restricted: JoinedNode
  let standard: JoinedNode

  it('lets a restricted batch wait with no node, then runs it only on the restricted node', async () => {
    const batchId = await restrictedBatch(3, 'wait')
    await app.runJob('route-batches')
    expect(itemRows(app, batchId).every((i) => i.status === 'pending' || i.status === 'queued')).toBe(true)
    standard = await joinNode(app, admin, 'standard', [LLAMA], ['eu-west-1'], 'std')
    await route()
    // A standard node is never offered restricted work.
    expect((await nodePost(app, standard.auth, '/v1/fleet/leases', { max_items: 10 })).body.items).toEqual([])
    restricted = await joinNode(app, admin, 'restricted', [LLAMA], ['eu-west-1'], 'rst')
    // The join makes the waiting batch due at once (no 30 s wait): the fleet pass, then routing, on the same clock.
    await app.runJob('fleet-nodes')
    await app.runJob('route-batches')
    const items = itemRows(app, batchId)
    expect(new Set(items.map((i) => i.offeringId))).toEqual(new Set([`edge:${LLAMA}:restricted:eu-west-1`]))
    expect((await nodePost(app, standard.auth, '/v1/fleet/leases', { max_items: 10 })).body.items).toEqual([])
    const lease = await nodePost(app, restricted.auth, '/v1/fleet/leases', { max_items: 10 })
    expect(lease.status).toBe(200)
    expect(lease.body.items).toHaveLength(3)
    expect(lease.body.items[0]).toMatchObject({ attempt: 1, operation: 'responses', model: LLAMA, served_model: `${LLAMA}-served`, request: { model: `${LLAMA}-served`, messages: [{ role: 'user', content: 'Say hello to wait-0' }] } })
    const detail = await adminGet(`/v1/admin/fleet/nodes/${restricted.nodeId}`)
    expect(detail.body.active_leases).toEqual([{ lease_id: lease.body.lease_id, lease_until: lease.body.lease_until, items: 3 }])
    const done = await nodePost(app, restricted.auth, `/v1/fleet/leases/${lease.body.lease_id}/results`, completedResults(lease.body.items))
    expect(done.body).toEqual({ accepted: 3, ignored: [] })
    await app.runJob('finalize-batches')
    const batch = await json(app.request(`/v1/batches/${batchId}`, { headers: org.auth }))
    expect(batch.body.batch.status).toBe('completed')
    expect(itemRows(app, batchId).every((i) => i.nodeId === restricted.nodeId && i.costMicros !== null)).toBe(true)
    // Result rows and the routing receipt name the node.
    const results = await json(app.request(`/v1/batches/${batchId}/results`, { headers: org.auth }))
    expect(results.body.results.map((r: any) => [r.provider, r.offering_id, r.node_id, r.status])).toEqual(Array(3).fill(['edge', `edge:${LLAMA}:restricted:eu-west-1`, restricted.nodeId, 'completed']))
    const receipt = await json(app.request(`/v1/batches/${batchId}/receipt`, { headers: org.auth }))
    expect(receipt.body.lanes).toEqual([expect.objectContaining({ provider: 'edge', offering_id: `edge:${LLAMA}:restricted:eu-west-1`, node_ids: [restricted.nodeId] })])
    expect((await adminGet(`/v1/admin/fleet/nodes/${restricted.nodeId}`)).body).toMatchObject({ completed_items: 3, active_leases: [] })
    // Idempotent: the same results again change nothing.
    const again = await nodePost(app, restricted.auth, `/v1/fleet/leases/${lease.body.lease_id}/results`, completedResults(lease.body.items))
    expect(again.status).toBe(200)
    expect(again.body.accepted).toBe(0)
    expect(again.body.ignored.map((i: any) => i.reason)).toEqual(['already_settled', 'already_settled', 'already_settled'])
  })

  it('fences a late result after the lease lapsed (409 lease_expired, nothing changed) and ignores other nodes\' items', async () => {
    const batchId = await restrictedBatch(2, 'late')
    await route()
    const first = await nodePost(app, restricted.auth, '/v1/fleet/leases', { max_items: 10 })
    expect(first.body.items).toHaveLength(2)
    clock.advance(61_000)
    expect((await nodePost(app, restricted.auth, `/v1/fleet/leases/${first.body.lease_id}/extend`, {})).status).toBe(409)
    await app.runJob('rescue-leases')
    const before = snapshot()
    const late = await nodePost(app, restricted.auth, `/v1/fleet/leases/${first.body.lease_id}/results`, completedResults(first.body.items))
    expect(late.status).toBe(409)
    expect(late.body.error.code).toBe('lease_expired')
    expect(late.headers.get('x-should-retry')).toBe('false')
    expect(snapshot()).toBe(before)
    // Leased again: attempt 2. The old attempt's results are ignored; the standard node cannot report them either.
    const second = await nodePost(app, restricted.auth, '/v1/fleet/leases', { max_items: 10 })
    expect(second.body.items.map((i: any) => i.attempt)).toEqual([2, 2])
    const stale = await nodePost(app, restricted.auth, `/v1/fleet/leases/${second.body.lease_id}/results`, completedResults(first.body.items))
    expect(stale.body).toEqual({ accepted: 0, ignored: first.body.items.map((i: any) => ({ item_id: i.item_id, reason: 'stale_attempt' })) })
    const foreign = await nodePost(app, standard.auth, `/v1/fleet/leases/${second.body.lease_id}/results`, completedResults(second.body.items))
    expect(foreign.status).toBe(404)
    const standardLease = await nodePost(app, standard.auth, '/v1/fleet/leases', { max_items: 1 })
    expect(standardLease.body.lease_id).toBeNull()
    const extended = await nodePost(app, restricted.auth, `/v1/fleet/leases/${second.body.lease_id}/extend`, { seconds: 30 })
    expect(extended.body.lease_until).toBe(new Date(clock.now() + 30_000).toISOString())
    const ok = await nodePost(app, restricted.auth, `/v1/fleet/leases/${second.body.lease_id}/results`, { results: [...completedResults(second.body.items).results, { item_id: 'item_NeverLeasedToAnyNode000', attempt: 1, status: 'completed', response: chatCompletion('x') }] })
    expect(ok.body).toEqual({ accepted: 2, ignored: [{ item_id: 'item_NeverLeasedToAnyNode000', reason: 'not_leased_to_this_node' }] })
    await app.runJob('finalize-batches')
    expect((await json(app.request(`/v1/batches/${batchId}`, { headers: org.auth }))).body.batch.status).toBe('completed')
  })

  it('sends a retryable failure back to the queue and fails a final one', async () => {
    const batchId = await restrictedBatch(2, 'retry')
    await route()
    const lease = await nodePost(app, restricted.auth, '/v1/fleet/leases', { max_items: 10 })
    const [a, b] = lease.body.items
    const res = await nodePost(app, restricted.auth, `/v1/fleet/leases/${lease.body.lease_id}/results`, {
      results: [
        { item_id: a.item_id, attempt: 1, status: 'failed', error: { code: 'server_error', message: 'upstream 503', retryable: true } },
        { item_id: b.item_id, attempt: 1, status: 'failed', error: { code: 'invalid_request', message: 'bad prompt', retryable: false } },
      ],
    })
    expect(res.body.accepted).toBe(2)
    const rows = new Map(itemRows(app, batchId).map((i) => [i.id, i]))
    expect(rows.get(a.item_id)).toMatchObject({ status: 'queued', attempts: 1, leaseId: null })
    expect(rows.get(b.item_id)).toMatchObject({ status: 'failed', errorCode: 'invalid_request' })
    clock.advance(5_000)
    const again = await nodePost(app, restricted.auth, '/v1/fleet/leases', { max_items: 10 })
    expect(again.body.items.map((i: any) => [i.item_id, i.attempt])).toEqual([[a.item_id, 2]])
    await nodePost(app, restricted.auth, `/v1/fleet/leases/${again.body.lease_id}/results`, completedResults(again.body.items))
    expect((await adminGet(`/v1/admin/fleet/nodes/${restricted.nodeId}`)).body).toMatchObject({ failed_items: 1 })
  })

  it('wakes a long poll when work arrives instead of waiting it out', async () => {
    const waiting = nodePost(app, restricted.auth, '/v1/fleet/leases', { max_items: 10, wait_seconds: 25 })
    await Bun.sleep(50) // let the poll find nothing and start waiting
    await restrictedBatch(1, 'poll')
    await route()
    await app.runJob('dispatch-items')
    const answer = await Promise.race([waiting, Bun.sleep(20_000).then(() => 'timed out')])
    expect(answer).not.toBe('timed out')
    const lease = answer as Awaited<typeof waiting>
    expect(lease.body.items).toHaveLength(1)
    await nodePost(app, restricted.auth, `/v1/fleet/leases/${lease.body.lease_id}/results`, completedResults(lease.body.items))
  })
})

describe('drain, revoke and offline', () => {
  it('drains: no new leases, heartbeat says drain', async () => {
    const node = await joinNode(app, admin, 'restricted', [LLAMA], ['eu-west-1'], 'drainer')
    const drained = await json(app.request(`/v1/admin/fleet/nodes/${node.nodeId}/drain`, { method: 'POST', headers: admin }))
    expect(drained.body.status).toBe('draining')
    expect((await nodePost(app, node.auth, '/v1/fleet/heartbeat', { in_flight: 0, health: { upstream: 'ok' } })).body).toEqual({ status: 'draining', drain: true })
    await restrictedBatch(1, 'drain')
    await route()
    expect((await nodePost(app, node.auth, '/v1/fleet/leases', { max_items: 5 })).body.items).toEqual([])
    expect(auditActions()).toContain('fleet.node.drain')
  })

  it('goes offline after 3 missed heartbeats: lanes leave the catalog, leases come back; a heartbeat brings it back', async () => {
    const node = await joinNode(app, admin, 'restricted', [LLAMA], ['ap-south-1'], 'sleepy')
    // Its upstream down: its lane leaves the catalog and it leases nothing.
    await nodePost(app, node.auth, '/v1/fleet/heartbeat', { in_flight: 0, health: { upstream: 'down' } })
    const catalogIds = async () => (await json(app.request('/v1/catalog/models'))).body.data.flatMap((m: any) => m.provider_offerings.map((o: any) => o.offering_id))
    expect(await catalogIds()).not.toContain(`edge:${LLAMA}:restricted:ap-south-1`)
    expect((await nodePost(app, node.auth, '/v1/fleet/leases', { max_items: 5 })).body.items).toEqual([])
    await nodePost(app, node.auth, '/v1/fleet/heartbeat', { in_flight: 0, health: { upstream: 'ok' } })
    expect(await catalogIds()).toContain(`edge:${LLAMA}:restricted:ap-south-1`)
    const lease = await nodePost(app, node.auth, '/v1/fleet/leases', { max_items: 5 })
    const held = lease.body.items.length
    clock.advance(31_000)
    await app.runJob('fleet-nodes')
    const after = await adminGet(`/v1/admin/fleet/nodes/${node.nodeId}`)
    expect(after.body).toMatchObject({ status: 'offline', active_leases: [] })
    expect(await catalogIds()).not.toContain(`edge:${LLAMA}:restricted:ap-south-1`)
    if (held > 0) expect(itemRows(app, (await json(app.request('/v1/batches?limit=1', { headers: org.auth }))).body.data[0].id).some((i) => i.status === 'queued')).toBe(true)
    expect(auditActions()).toContain('fleet.node.offline')
    expect((await nodePost(app, node.auth, '/v1/fleet/heartbeat', { in_flight: 0, health: { upstream: 'ok' } })).body.status).toBe('online')
    expect(auditActions()).toContain('fleet.node.online')
  })

  it('revokes: the token is refused at once and its leases go back', async () => {
    const node = await joinNode(app, admin, 'restricted', [LLAMA], ['eu-west-1'], 'revokee')
    const batchId = await restrictedBatch(2, 'revoke')
    await route()
    const lease = await nodePost(app, node.auth, '/v1/fleet/leases', { max_items: 10 })
    expect(lease.body.items.length).toBeGreaterThan(0)
    const revoked = await json(app.request(`/v1/admin/fleet/nodes/${node.nodeId}`, { method: 'DELETE', headers: admin }))
    expect(revoked.body.status).toBe('revoked')
    expect((await nodePost(app, node.auth, '/v1/fleet/heartbeat', { in_flight: 0, health: { upstream: 'ok' } })).status).toBe(401)
    const leased = new Set(lease.body.items.map((i: any) => i.item_id))
    expect(itemRows(app, batchId).filter((i) => leased.has(i.id)).every((i) => i.status === 'queued' && i.leaseId === null)).toBe(true)
    expect(auditActions()).toContain('fleet.node.revoke')
  })
})

describe('edge lanes in the catalog and quotes', () => {
  it('lists online nodes\' lanes (and models only a node knows) with live capacity, and quotes restricted work on them', async () => {
    const node = await joinNode(app, admin, 'restricted', [LLAMA, 'qwen2.5:7b'], ['sa-east-1'], 'catalog-node')
    await nodePost(app, node.auth, '/v1/fleet/heartbeat', { in_flight: 0, health: { upstream: 'ok' }, capacity: { concurrent_items: 3 } })
    const catalog = await json(app.request('/v1/catalog/models'))
    const lane = catalog.body.data.flatMap((m: any) => m.provider_offerings).find((o: any) => o.offering_id === `edge:${LLAMA}:restricted:sa-east-1`)
    expect(lane).toMatchObject({ provider: 'edge', lane_kind: 'edge', regions: ['sa-east-1'], privacy_tiers: ['standard', 'confidential', 'restricted'], retention: { zdr: true, days: 0 }, available: true })
    const qwen = catalog.body.data.find((m: any) => m.slug === 'qwen2.5:7b')
    expect(qwen.provider_offerings.map((o: any) => o.offering_id)).toEqual(['edge:qwen2.5:7b:restricted:sa-east-1'])
    const models = await json(app.request('/v1/models', { headers: org.auth }))
    expect(models.body.data.map((m: any) => m.id)).toContain('qwen2.5:7b')
    const quote = await json(app.request('/v1/quotes/model', { method: 'POST', headers: { ...org.auth, 'content-type': 'application/json' }, body: JSON.stringify({ items: [chatItem('q', 'qwen2.5:7b')], privacy_tier: 'restricted' }) }))
    expect(quote.status).toBe(200)
    expect(JSON.stringify(quote.body)).toContain('edge:qwen2.5:7b:restricted:sa-east-1')
    // Revoked: its lanes leave the catalog.
    await json(app.request(`/v1/admin/fleet/nodes/${node.nodeId}`, { method: 'DELETE', headers: admin }))
    const after = await json(app.request('/v1/catalog/models'))
    expect(JSON.stringify(after.body)).not.toContain('sa-east-1')
  })
})
