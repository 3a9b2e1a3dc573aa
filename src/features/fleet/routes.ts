/**
 * The fleet's routes (contract §11): operator routes under /v1/admin/fleet (admin key) and node
 * routes under /v1/fleet (node token; join is public, the join token in its body is the credential).
 */
import { Elysia } from 'elysia'
import type { Deps } from '../../deps'
import { adminAuth } from '../api-keys/index'
import type { WorkPorts } from '../dispatch/index'
import { toIso } from '../../lib/clock'
import { nodeAuth } from './auth'
import { createJoinToken, joinNode, listJoinTokens, revokeJoinToken } from './enrol'
import { extendNodeLease, leaseForNode } from './leasing'
import * as M from './models'
import { activeLeases, drainNode, getNodeRow, heartbeat, listNodes, revokeNode } from './nodes'
import { presentJoinToken, presentNode } from './present'
import { acceptResults } from './results'

/** Operator routes: join tokens and nodes. Every change is audited. */
export function fleetAdminRoutes(deps: Deps) {
  return new Elysia({ prefix: '/v1/admin/fleet', tags: ['Admin'] })
    .use(adminAuth(deps))
    .post(
      '/join-tokens',
      async ({ admin, body, set }) => {
        const { token, row } = await createJoinToken(deps, admin.keyId, body)
        set.status = 201
        return { join_token: token, ...presentJoinToken(row) }
      },
      { body: M.CreateJoinTokenBody, response: { 201: M.CreatedJoinToken }, detail: { summary: 'Mint a fleet join token', description: 'A JWT an edge node trades for its credential at POST /v1/fleet/join. Trust tier and regions are the enrolment; shown once; only its id and hash are stored.' } },
    )
    .get('/join-tokens', () => ({ object: 'list' as const, data: listJoinTokens(deps).map(presentJoinToken) }), { response: { 200: M.JoinTokenList }, detail: { summary: 'List fleet join tokens', description: 'Every join token with its uses, newest first; never the token itself.' } })
    .delete('/join-tokens/:token_id', ({ admin, params }) => presentJoinToken(revokeJoinToken(deps, admin.keyId, params.token_id)), {
      params: M.TokenParams,
      response: { 200: M.JoinTokenObject },
      detail: { summary: 'Revoke a fleet join token', description: 'No further node can join with it; nodes that joined keep running (revoke those one by one).' },
    })
    .get('/nodes', () => ({ object: 'list' as const, data: listNodes(deps).map(presentNode) }), { response: { 200: M.NodeList }, detail: { summary: 'List edge nodes', description: 'Every node that joined, with status, health, capacity and counters.' } })
    .get('/nodes/:id', ({ params }) => nodeDetail(deps, params.id), { params: M.NodeParams, response: { 200: M.NodeDetail }, detail: { summary: 'Get an edge node', description: 'One node with its active leases.' } })
    .post('/nodes/:id/drain', ({ admin, params }) => presentNode(drainNode(deps, admin.keyId, params.id)), {
      params: M.NodeParams,
      response: { 200: M.NodeObject },
      detail: { summary: 'Drain an edge node', description: 'The node gets no new leases; its active leases finish.' },
    })
    .delete('/nodes/:id', ({ admin, params }) => presentNode(revokeNode(deps, admin.keyId, params.id)), {
      params: M.NodeParams,
      response: { 200: M.NodeObject },
      detail: { summary: 'Revoke an edge node', description: 'Its token is refused from the next request (401) and its leases go back to the queue.' },
    })
}

function nodeDetail(deps: Deps, nodeId: string) {
  const node = getNodeRow(deps, nodeId)
  return { ...presentNode(node), active_leases: activeLeases(deps, nodeId).map((l) => ({ lease_id: l.id, lease_until: toIso(l.leaseUntil), items: l.items })) }
}

/** Node routes: join (public), heartbeat, leases, extend, results. */
export function fleetNodeRoutes(deps: Deps, ports: WorkPorts) {
  return new Elysia({ prefix: '/v1/fleet', tags: ['Fleet'] })
    .post(
      '/join',
      async ({ body, set }) => {
        const joined = await joinNode(deps, body.join_token, body.node)
        set.status = 201
        return joined
      },
      { body: M.JoinBody, response: { 201: M.JoinResponse }, detail: { summary: 'Join the fleet', description: 'Trades a join token for a node id and node token. Trust tier and regions come from the token; a region outside it is 400; a used, expired or revoked token 401.', security: [] } },
    )
    .use(nodeRoutesWithAuth(deps, ports))
}

function nodeRoutesWithAuth(deps: Deps, ports: WorkPorts) {
  return new Elysia()
    .use(nodeAuth(deps))
    .post('/heartbeat', ({ node, body }) => heartbeat(deps, node.id, body), { body: M.HeartbeatBody, response: { 200: M.HeartbeatResponse }, detail: { summary: 'Heartbeat', description: 'Health, capacity and offerings; answers the status, whether to drain, and a fresh token in the last quarter of the current one.' } })
    .post('/leases', ({ node, body }) => leaseForNode(deps, ports, node.id, body.max_items, body.wait_seconds ?? 0), {
      body: M.LeaseBody,
      response: { 200: M.LeaseResponse },
      detail: { summary: 'Lease work', description: 'Up to max_items items of the edge lanes this node serves, each with the OpenAI request body to send upstream; waits up to wait_seconds when none is due.' },
    })
    .post('/leases/:lease_id/extend', ({ node, params, body }) => extendNodeLease(deps, node.id, params.lease_id, body.seconds), {
      params: M.LeaseParams,
      body: M.ExtendBody,
      response: { 200: M.ExtendResponse },
      detail: { summary: 'Extend a lease', description: '409 lease_expired once it lapsed (its items went back to the queue).' },
    })
    .post('/leases/:lease_id/results', ({ node, params, body }) => acceptResults(deps, ports, node.id, params.lease_id, body.results), {
      params: M.LeaseParams,
      body: M.ResultsBody,
      response: { 200: M.ResultsResponse },
      detail: { summary: 'Report results', description: 'Idempotent and fenced by attempt: results for items this node does not hold at that attempt are ignored with a reason and change nothing.' },
    })
}
