/** Quote routes (contract §4). Stub: filled in by the batch flow work. */
import { Elysia } from 'elysia'
import type { Deps } from '../../deps'

export function quotesRoutes(deps: Deps) {
  void deps
  return new Elysia({ tags: ['Quotes'] })
}
