/** Quote routes (contract §4): POST /v1/quotes/model and its alias POST /v1/batches/quote. */
import { Elysia } from 'elysia'
import type { Deps } from '../../deps'
import { customerAuth } from '../api-keys/index'
import { QuoteBody, QuoteResponse } from './models'
import { createQuote } from './service'

export function quotesRoutes(deps: Deps) {
  const options = {
    body: QuoteBody,
    response: QuoteResponse,
    detail: { summary: 'Get a free quote', description: 'Prices the items on every eligible lane, picks lanes per the routing policy and locks the rates for 10 minutes. Reserves nothing.' },
  }
  return new Elysia({ tags: ['Quotes'] })
    .use(customerAuth(deps))
    .post('/v1/quotes/model', ({ auth, body }) => createQuote(deps, auth.orgId, body), options)
    .post('/v1/batches/quote', ({ auth, body }) => createQuote(deps, auth.orgId, body), { ...options, detail: { ...options.detail, summary: 'Get a free quote (alias of POST /v1/quotes/model)' } })
}
