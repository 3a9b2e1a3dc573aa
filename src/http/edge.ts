/**
 * The HTTP edge: Bun's `fetch` handler in front of the Elysia app. For every request it finds the
 * route's policy, authenticates a guarded route from its headers (failed attempts limited per
 * client address), applies the per-key and per-org request limits, gates the body (caps, JSON
 * checks) — all before the app or anything else reads a body byte — then stamps every response
 * with `x-request-id`, `x-content-type-options: nosniff` and, when authenticated, the
 * `x-ratelimit-*` headers, and writes one access-log line.
 */
import type { Server } from 'bun'
import type { Deps } from '../deps'
import { AppError, errorResponse, storageFullError } from '../lib/errors'
import { forwardedClientAddress } from '../lib/forwarded'
import { newId } from '../lib/ids'
import { assertPrincipalKind, authenticateRequest, rememberPrincipal, type Principal } from '../features/api-keys/index'
import { authenticateNode } from '../features/fleet/index'
import { requestIdOf, shareRequestId } from './server'
import { buildRouteMatcher, type RouteMatcher, type RoutePolicy } from './route-policy'
import { gateBody, type BodyLimits } from './body-gate'
import { createMemoryLimiter, quotaHeaders, type Quota, type RequestLimiter } from './rate-limit'

interface HandlesRequests {
  routes: readonly { method: string; path: string; hooks?: any }[]
  handle(request: Request): Promise<Response>
}

/** Bun's `fetch` for the app, with the edge's checks in front. */
export type EdgeFetch = (request: Request, server: Server<unknown>) => Promise<Response>

/** The edge's fetch handler and the route policies it enforces. */
export interface Edge {
  fetch: EdgeFetch
  /** The route policies the edge enforces (for the isolation matrix and the docs). */
  routes: RouteMatcher
}

interface Admitted {
  request: Request
  principal: Principal | null
  quota: Quota | null
}

/** Builds the edge around a mounted app; `limiter` defaults to the in-memory one from config. */
export function createEdge(deps: Deps, app: HandlesRequests, limiter: RequestLimiter = createMemoryLimiter(deps.config.rateLimits)): Edge {
  let matcher: RouteMatcher | undefined
  const routes = () => (matcher ??= buildRouteMatcher(app.routes))
  const { limits } = deps.config
  const bodyLimits: BodyLimits = { jsonBytes: limits.jsonBodyBytes, jsonDepth: limits.jsonDepth, passthroughBytes: Math.max(limits.batchUploadBytes, limits.otherUploadBytes) + 1024 * 1024 }

  async function admit(request: Request, route: RoutePolicy | undefined, server: Server<unknown>, state: Partial<Admitted>): Promise<Request> {
    if (route && route.auth !== 'public') {
      // Node routes take an edge node's token; every other guarded route an API key or console session.
      const principal = await authenticate(deps, limiter, request, clientAddress(deps, request, server), route.auth === 'node' ? authenticateNode : authenticateRequest)
      state.principal = principal
      assertPrincipalKind(principal, route.auth)
      const { allowed, quota } = await limiter.consume(principal.keyId, principal.orgId)
      state.quota = quota
      if (!allowed) throw rateLimited(quota.resetMs, 'Too many requests for this API key or org; slow down and retry after the time in retry-after.')
    }
    const forwarded = await gateBody(request, route?.body, bodyLimits)
    if (forwarded !== request) shareRequestId(request, forwarded)
    if (state.principal) rememberPrincipal(forwarded, state.principal)
    return forwarded
  }

  const fetch: EdgeFetch = async (request, server) => {
    const started = performance.now()
    const requestId = requestIdOf(request)
    const path = pathOf(request.url)
    const route = routes().find(request.method, path)
    const state: Partial<Admitted> = {}
    let response: Response
    let fromEdge = false
    try {
      response = await app.handle(await admit(request, route, server, state))
    } catch (err) {
      fromEdge = true
      response = errorResponse(asAppError(deps, err, requestId), requestId)
    }
    response = stamp(response, requestId, state.quota ?? null)
    const ms = performance.now() - started
    // Requests refused here never reach the app's own metrics hooks.
    if (fromEdge) deps.metrics.observeRequest(request.method, route?.registered, response.status, ms / 1000)
    deps.log.info('request', { method: request.method, route: route?.template ?? 'unmatched', status: response.status, ms: Math.round(ms * 10) / 10, request_id: requestId, org_id: state.principal?.orgId ?? undefined })
    return response
  }
  return { fetch, routes: { find: (m, p) => routes().find(m, p), all: () => routes().all() } }
}

/** Verifies the bearer key (or the console session cookie, or a node token) with `verify`; 429 instead of 401 once the address has failed too often. */
async function authenticate(deps: Deps, limiter: RequestLimiter, request: Request, address: string, verify: (deps: Deps, request: Request) => Promise<Principal>): Promise<Principal> {
  const blocked = await limiter.blockedForMs(address)
  if (blocked > 0) throw rateLimited(blocked, 'Too many failed authentications from this address; wait for the time in retry-after.')
  try {
    return await verify(deps, request)
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'unauthorized') throw err
    const block = await limiter.recordFailedAuth(address)
    if (block > 0) throw rateLimited(block, 'Too many failed authentications from this address; wait for the time in retry-after.')
    throw err
  }
}

function rateLimited(resetMs: number, message: string): AppError {
  return new AppError('rate_limited', { message, retryAfter: Math.max(1, Math.ceil(resetMs / 1000)) })
}

/** The socket's peer address, or with `trustProxy` the address the proxy reports. */
function clientAddress(deps: Deps, request: Request, server: Server<unknown>): string {
  const forwarded = deps.config.trustProxy ? forwardedClientAddress(request.headers) : null
  return forwarded ?? server.requestIP(request)?.address ?? 'unknown'
}

function asAppError(deps: Deps, err: unknown, requestId: string): AppError {
  if (err instanceof AppError) return err
  const full = storageFullError(err)
  if (full) {
    deps.log.error('data disk full', { request_id: requestId, error: err instanceof Error ? err.message : String(err) })
    return full
  }
  deps.log.error('unhandled error at the edge', { request_id: requestId, error: err instanceof Error ? (err.stack ?? err.message) : String(err) })
  return new AppError('internal_error', { message: `Something went wrong on our side. Quote request id ${requestId} when reporting it.` })
}

/** Headers every response carries; a response with immutable headers is copied first. */
function stamp(response: Response, requestId: string, quota: Quota | null): Response {
  const extra: Record<string, string> = { 'x-request-id': requestId, 'x-content-type-options': 'nosniff', ...(quota ? quotaHeaders(quota) : {}) }
  if (response.status === 429) {
    const seconds = Number(response.headers.get('retry-after') ?? 1)
    extra['retry-after-ms'] = String(seconds * 1000)
  }
  try {
    for (const [name, value] of Object.entries(extra)) response.headers.set(name, value)
    return response
  } catch {
    const copy = new Response(response.body, response)
    for (const [name, value] of Object.entries(extra)) copy.headers.set(name, value)
    return copy
  }
}

function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2)
  if (start === -1) return '/'
  const query = url.indexOf('?', start)
  return query === -1 ? url.slice(start) : url.slice(start, query)
}

/** Bun's `error` handler: whatever escaped the edge still answers the JSON envelope (500). */
export function edgeFailure(deps: Deps, err: unknown): Response {
  const requestId = newId('request')
  return errorResponse(asAppError(deps, err, requestId), requestId)
}
