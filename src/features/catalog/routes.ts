/** Catalog, models and fees routes (contract §6, §8). Stub: filled in by the catalog work. */
import { Elysia } from 'elysia'
import type { Deps } from '../../deps'

export function catalogRoutes(deps: Deps) {
  void deps
  return new Elysia({ tags: ['Catalog'] })
}
