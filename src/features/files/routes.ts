/** Files routes (contract §2). Stub: filled in by the files work. */
import { Elysia } from 'elysia'
import type { Deps } from '../../deps'

export function filesRoutes(deps: Deps) {
  void deps
  return new Elysia({ prefix: '/v1/files', tags: ['Files'] })
}
