/** `/v1/auth/*`: self-registration, the account view, keys, ledger and the org webhook (contract §1). */
import { Elysia } from 'elysia'
import type { Deps } from '../../deps'
import { customerAuth } from '../api-keys/index'
import { apiKeysRoutes, parseOptionalJson, sessionRoutes } from '../api-keys'
import { creditsRoutes } from '../credits'
import { AccountObject, AgentRegisterBody, AgentRegisterResponse, DeliveryWebhookObject, SetDeliveryWebhookBody } from './models'
import { clearDeliveryWebhook, getAccount, registerAgent, setDeliveryWebhook } from './service'
import { presentAccount, presentDeliveryWebhook, presentRegistration } from './present'

/** Public: the one route of this group that needs no key. */
function registrationRoutes(deps: Deps) {
  return new Elysia().post(
    '/agent-register',
    ({ body, set }) => {
      set.status = 201
      return presentRegistration(registerAgent(deps, { name: body.name, agentName: body.agent_name, email: body.email }))
    },
    {
      parse: parseOptionalJson,
      body: AgentRegisterBody,
      response: { 201: AgentRegisterResponse },
      detail: {
        summary: 'Register an org (self-service)',
        description: 'Creates an org and its first API key (shown once) with the operator\'s configured starting credit. Every field is optional. Answers 403 forbidden when the operator has closed registration.',
        security: [],
      },
    },
  )
}

function accountRoutes(deps: Deps) {
  return new Elysia()
    .use(customerAuth(deps))
    .get('/account', ({ auth }) => presentAccount(getAccount(deps, auth)), {
      response: { 200: AccountObject },
      detail: { summary: 'Get the account', description: 'The calling org: spendable and reserved credit (6-decimal USD strings), its default delivery webhook and the key used for this request.' },
    })
    .put('/account/delivery-webhook', ({ auth, body }) => presentDeliveryWebhook(setDeliveryWebhook(deps, auth.orgId, body)), {
      body: SetDeliveryWebhookBody,
      response: { 200: DeliveryWebhookObject },
      detail: { summary: 'Set the default delivery webhook', description: 'Batch events go here unless a batch names its own webhook. The URL must be https:// on a public host (400 unsafe_webhook_url otherwise); the secret (8–256 chars) signs deliveries and is never returned.' },
    })
    .delete('/account/delivery-webhook', ({ auth }) => presentDeliveryWebhook(clearDeliveryWebhook(deps, auth.orgId)), {
      response: { 200: DeliveryWebhookObject },
      detail: { summary: 'Clear the default delivery webhook', description: 'Removes the org default webhook and its secret; answers `{url:null, configured:false}`. Clearing an unset webhook is not an error.' },
    })
}

/** Every `/v1/auth` route, mounted once in http/routes.ts. */
export function accountsRoutes(deps: Deps) {
  return new Elysia({ prefix: '/v1/auth', tags: ['Accounts'] })
    .use(registrationRoutes(deps))
    .use(accountRoutes(deps))
    .use(apiKeysRoutes(deps))
    .use(creditsRoutes(deps))
    .use(sessionRoutes(deps))
}
