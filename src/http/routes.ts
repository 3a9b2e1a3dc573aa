/** Every route of the API, mounted in one place (PocketBase-style), in the order they are documented. */
import type { Elysia } from 'elysia'
import type { Deps } from '../deps'

export function mountRoutes<A extends Elysia<any, any, any, any, any, any, any>>(base: A, deps: Deps) {
  void deps
  return base
}
