/** Operator routes under /v1/admin (contract §1). Stub: filled in by the accounts work. */
import { Elysia } from 'elysia'
import type { Deps } from '../../deps'

export function adminRoutes(deps: Deps) {
  void deps
  return new Elysia({ prefix: '/v1/admin', tags: ['Admin'] })
}
