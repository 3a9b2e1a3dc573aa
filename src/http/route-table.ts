/**
 * Knows which method/path pairs exist, so an unknown route answers 404 with a base-URL hint and
 * a known path with the wrong method answers 405 with `allow`.
 */
interface RouteLike {
  method: string
  path: string
}

export interface RouteTable {
  /** Methods registered for a concrete path; empty when the path is unknown. */
  methodsFor(path: string): string[]
}

export function buildRouteTable(routes: readonly RouteLike[]): RouteTable {
  const patterns = routes
    .filter((r) => r.method !== 'ALL')
    .map((r) => ({
      method: r.method.toUpperCase(),
      // Routes mounted as `prefix + '/'` are registered with a trailing slash; compare without it.
      regex: new RegExp('^' + (r.path.length > 1 ? r.path.replace(/\/+$/, '') : r.path).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:[^/]+/g, '[^/]+').replace(/\*/g, '.*') + '/?$'),
    }))
  return {
    methodsFor(path) {
      return [...new Set(patterns.filter((p) => p.regex.test(path)).map((p) => p.method))]
    },
  }
}
