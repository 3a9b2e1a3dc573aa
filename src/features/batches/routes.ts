/** Batch routes (contract §5). Stub: filled in by the batch flow work. */
import { Elysia } from 'elysia'
import type { Deps } from '../../deps'

export function batchesRoutes(deps: Deps) {
  void deps
  return new Elysia({ prefix: '/v1/batches', tags: ['Batches'] })
}
