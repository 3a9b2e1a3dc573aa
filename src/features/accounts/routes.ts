/** Accounts and keys routes (contract §1). Stub: filled in by the accounts work. */
import { Elysia } from 'elysia'
import type { Deps } from '../../deps'

export function accountsRoutes(deps: Deps) {
  void deps
  return new Elysia({ prefix: '/v1/auth', tags: ['Accounts'] })
}
