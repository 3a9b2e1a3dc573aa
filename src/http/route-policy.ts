/**
 * What the edge must know of every registered route before it reads a byte of the body: which
 * key it needs (from the auth guard its hooks carry, so the policy cannot drift from the route)
 * and what kind of body it takes. Built from the mounted app's route table.
 */
import { guardKindOf } from '../features/api-keys/index'

/** `public`: no key; `customer`: a br_live_ key; `admin`: a br_admin_ key; `node`: an edge node's token. */
export type RouteAuth = 'public' | 'customer' | 'admin' | 'node'
/**
 * `json`: a JSON body, read whole under the JSON cap; `upload`: streamed by the route itself under
 * its own limits (files); `none`: the route reads no body; `passthrough`: handed on under the upload
 * cap (the demo simulator's mount).
 */
export type RouteBody = 'json' | 'upload' | 'none' | 'passthrough'

/** One registered route as the edge sees it. */
export interface RoutePolicy {
  method: string
  /** The route template (`/v1/batches/:id`), without a trailing slash. */
  template: string
  /** The path exactly as registered (a prefix plus '/' keeps its slash): the app's metrics label. */
  registered: string
  auth: RouteAuth
  body: RouteBody
}

interface HookLike {
  fn?: unknown
}
interface RouteLike {
  method: string
  path: string
  hooks?: { transform?: HookLike[]; parse?: unknown; body?: unknown }
}

/** Finds the policy of the route a request will reach. */
export interface RouteMatcher {
  /** The policy of the route serving `method` `path` (HEAD is served by GET), or undefined. */
  find(method: string, path: string): RoutePolicy | undefined
  /** Every route's policy, in registration order. */
  all(): readonly RoutePolicy[]
}

/** Builds the matcher; routes with fewer parameters win over parametric ones on the same path. */
export function buildRouteMatcher(routes: readonly RouteLike[]): RouteMatcher {
  const policies = routes.map(policyOf)
  const patterns = policies
    .map((policy) => ({ policy, regex: templateRegex(policy.template), params: (policy.template.match(/[:*]/g) ?? []).length }))
    .sort((a, b) => a.params - b.params)
  return {
    find(method, path) {
      const wanted = method === 'HEAD' ? 'GET' : method
      return patterns.find((p) => (p.policy.method === wanted || p.policy.method === 'ALL') && p.regex.test(path))?.policy
    },
    all: () => policies,
  }
}

function policyOf(route: RouteLike): RoutePolicy {
  const template = route.path.length > 1 ? route.path.replace(/\/+$/, '') : route.path
  const kinds = (route.hooks?.transform ?? []).map((h) => guardKindOf(h.fn)).filter((k) => k !== undefined)
  const auth: RouteAuth = kinds.includes('admin') ? 'admin' : kinds.includes('customer') ? 'customer' : kinds.includes('node') ? 'node' : 'public'
  return { method: route.method, template, registered: route.path, auth, body: bodyKindOf(route) }
}

function bodyKindOf(route: RouteLike): RouteBody {
  const parse = route.hooks?.parse
  const parsers = Array.isArray(parse) ? parse.map((p: HookLike) => p.fn) : parse === undefined ? [] : [parse]
  if (route.method === 'ALL') return 'passthrough'
  if (parsers.includes('none')) return 'upload'
  if (route.method === 'GET' || route.method === 'HEAD') return 'none'
  return route.hooks?.body !== undefined || parsers.length > 0 ? 'json' : 'none'
}

function templateRegex(template: string): RegExp {
  const body = template.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:[^/]+/g, '[^/]+').replace(/\*/g, '.*')
  return new RegExp(`^${body}/?$`)
}
