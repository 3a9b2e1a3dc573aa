/** Operator routes under /v1/admin (contract §1): orgs, credits, cross-org batches, audit log, catalog reload. Admin key only. */
import { Elysia } from 'elysia'
import type { Deps } from '../../deps'
import { adminAuth } from '../api-keys/index'
import { LedgerList, LedgerQuery, numericCursor, pageLimit, presentLedgerPage } from '../credits'
import { listAudit } from '../audit'
import { AdminBatchList, AdminOrgObject, AuditList, CatalogReloadResponse, AuditQuery, BatchesQuery, CreateOrgBody, CreatedOrgResponse, CreditBody, CreditResponse, IdCursorQuery, OrgList, OrgParams } from './models'
import { applyOperatorCredit, createOrgAsOperator, getOrgWithBalance, listAllBatches, listOrgLedger, listOrgs } from './service'
import { reloadCatalogFromFile } from './catalog-reload'
import { adminInsightRoutes } from './insight-routes'
import { presentAdminBatch, presentAdminOrg, presentAuditEntry, presentCatalogReload, presentCreatedOrg, presentCreditResult, presentList } from './present'

/** Every `/v1/admin` route, mounted once in http/routes.ts. */
export function adminRoutes(deps: Deps) {
  return new Elysia({ prefix: '/v1/admin', tags: ['Admin'] }).use(orgRoutes(deps)).use(operationsRoutes(deps))
}

/** Orgs, their credit and their ledger. */
function orgRoutes(deps: Deps) {
  return new Elysia()
    .use(adminAuth(deps))
    .use(adminInsightRoutes(deps))
    .post(
      '/orgs',
      ({ admin, body, set }) => {
        set.status = 201
        return presentCreatedOrg(createOrgAsOperator(deps, admin.keyId, { name: body.name, email: body.email, startingCredit: body.starting_credit }))
      },
      {
        body: CreateOrgBody,
        response: { 201: CreatedOrgResponse },
        detail: { summary: 'Create an org', description: 'Creates an org with its first API key (shown once in this response) and its starting credit (`starting_credit`, else the configured default). Audited.' },
      },
    )
    .get(
      '/orgs',
      ({ query }) => {
        const page = listOrgs(deps, { after: query.after, limit: pageLimit(query.limit) })
        return presentList(page.rows.map((org) => presentAdminOrg(org, page.balances.get(org.id)!)), page.hasMore)
      },
      {
        query: IdCursorQuery,
        response: { 200: OrgList },
        detail: { summary: 'List orgs', description: 'Every org with its balances, newest first. Page with `after` = the previous page\'s `last_id`.' },
      },
    )
    .get('/orgs/:id', ({ params }) => {
      const { org, balance } = getOrgWithBalance(deps, params.id)
      return presentAdminOrg(org, balance)
    }, {
      params: OrgParams,
      response: { 200: AdminOrgObject },
      detail: { summary: 'Get an org', description: 'One org with its balances and default webhook (never the secret).' },
    })
    .post(
      '/orgs/:id/credits',
      ({ admin, params, body, set }) => {
        const result = applyOperatorCredit(deps, admin.keyId, params.id, body)
        set.status = result.replayed ? 200 : 201
        return presentCreditResult(result)
      },
      {
        params: OrgParams,
        body: CreditBody,
        response: { 200: CreditResponse, 201: CreditResponse },
        detail: {
          summary: 'Grant or adjust credit',
          description:
            'A positive `amount` grants credit, a negative one adjusts it down (402 insufficient_credits if that would take the spendable balance below zero). `reference` makes it idempotent: repeating it answers 200 with the original entry and `replayed: true`; reusing it with a different org or amount answers 409 idempotency_key_reused. New entries answer 201.',
        },
      },
    )
    .get('/orgs/:id/ledger', ({ params, query }) => presentLedgerPage(listOrgLedger(deps, params.id, { after: numericCursor(query.after), limit: pageLimit(query.limit) })), {
      params: OrgParams,
      query: LedgerQuery,
      response: { 200: LedgerList },
      detail: { summary: "List an org's ledger", description: 'Every credit movement of the org, newest first. Page with `after` = the previous page\'s `last_id`.' },
    })
}

/** Cross-org batches, the audit log and catalog reload. */
function operationsRoutes(deps: Deps) {
  return new Elysia()
    .use(adminAuth(deps))
    .get(
      '/batches',
      ({ query }) => {
        const page = listAllBatches(deps, { after: query.after, limit: pageLimit(query.limit), orgId: query.org_id, status: query.status })
        return presentList(page.rows.map(presentAdminBatch), page.hasMore)
      },
      {
        query: BatchesQuery,
        response: { 200: AdminBatchList },
        detail: { summary: 'List batches across orgs', description: 'Newest first; filter by `org_id` or native `status`; page with `after` = the previous page\'s `last_id`.' },
      },
    )
    .get(
      '/audit',
      ({ query }) => {
        const limit = pageLimit(query.limit)
        const rows = listAudit(deps, { after: numericCursor(query.after), limit, subjectId: query.subject_id })
        return presentList(rows.slice(0, limit).map(presentAuditEntry), rows.length > limit)
      },
      {
        query: AuditQuery,
        response: { 200: AuditList },
        detail: { summary: 'List the audit log', description: 'Operator actions newest first, each with the acting admin key (null = the local CLI). Filter with `subject_id`.' },
      },
    )
    .post('/catalog/reload', ({ admin }) => presentCatalogReload(reloadCatalogFromFile(deps, admin.keyId)), {
      response: { 200: CatalogReloadResponse },
      detail: {
        summary: 'Reload the catalog',
        description:
          "Re-reads the `catalog` section of the config file the router was started with (--config / BATCHROUTER_CONFIG) and swaps it in for new quotes, routing and dispatch; batches keep the rates they locked. A bad file answers 400 validation_failed naming the problem and the running catalog stays; a router started without a config file answers 409 no_config_file. Audited.",
      },
    })
}
