/** `/v1/auth/account/api-keys`: mint, list and revoke the calling org's keys (contract §1). */
import { Elysia } from 'elysia'
import type { Deps } from '../../deps'
import { customerAuth } from './guards'
import { ApiKeyList, ApiKeyObject, ApiKeyParams, CreateApiKeyBody, NewApiKeyObject } from './models'
import { createOrgKey, listOrgKeys, revokeOrgKey } from './service'
import { presentApiKey, presentNewKey } from './present'
import { parseOptionalJson } from './optional-json'

/** Mounted in http/routes.ts beside the other `/v1/auth` routes. */
export function apiKeysRoutes(deps: Deps) {
  return new Elysia({ prefix: '/v1/auth/account/api-keys', tags: ['Accounts'] })
    .use(customerAuth(deps))
    .post(
      '',
      ({ auth, body, set }) => {
        set.status = 201
        return presentNewKey(createOrgKey(deps, auth.orgId, { name: body.name, expiresAt: body.expires_at }))
      },
      {
        parse: parseOptionalJson,
        body: CreateApiKeyBody,
        response: { 201: NewApiKeyObject },
        detail: { summary: 'Create an API key', description: 'Mints another `br_live_` key for the calling org. The secret is in this response only; store it now.' },
      },
    )
    .get('', ({ auth }) => ({ object: 'list' as const, data: listOrgKeys(deps, auth.orgId).map(presentApiKey) }), {
      response: { 200: ApiKeyList },
      detail: { summary: 'List API keys', description: "Every key of the calling org, newest first, revoked ones included. Shows each key's visible `start`, never the secret." },
    })
    .delete('/:id', ({ auth, params }) => presentApiKey(revokeOrgKey(deps, auth.orgId, params.id)), {
      params: ApiKeyParams,
      response: { 200: ApiKeyObject },
      detail: { summary: 'Revoke an API key', description: "Revokes one of the org's keys (the calling key too); the next request with it answers 401. Repeating is harmless. Another org's key answers 404." },
    })
}
