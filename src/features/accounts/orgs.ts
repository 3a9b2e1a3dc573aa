/** Creating orgs with their first key and starting credit, in one transaction. */
import type { Deps } from '../../deps'
import { writeTx } from '../../db/tx'
import { newId } from '../../lib/ids'
import { parseMicros } from '../../lib/money'
import { orgsTable, type OrgRow } from './table'
import { insertApiKey } from '../api-keys'
import { grantCreditsInTx } from '../credits'

export interface NewOrg {
  org: OrgRow
  apiKey: string
  apiKeyId: string
}

/**
 * Creates an org, its first `br_live_` key (named "default") and, when the starting credit
 * (`startingCreditMicros`, else `config.startingCredit`) is positive, its grant — all or nothing.
 */
export function createOrg(deps: Deps, input: { name?: string; email?: string; agentName?: string; startingCreditMicros?: number }): NewOrg {
  const now = deps.clock.now()
  const org: OrgRow = { id: newId('org'), name: input.name ?? input.agentName ?? 'Unnamed org', email: input.email ?? null, agentName: input.agentName ?? null, webhookUrl: null, webhookSecret: null, progressEvents: false, createdAt: now }
  const starting = input.startingCreditMicros ?? parseMicros(deps.config.startingCredit) ?? 0
  return writeTx(deps.db, () => {
    deps.db.insert(orgsTable).values(org).run()
    const key = insertApiKey(deps, { orgId: org.id, kind: 'live', name: 'default' })
    if (starting > 0) grantCreditsInTx(deps, { orgId: org.id, amount: starting, reference: `starting-credit:${org.id}`, note: 'starting credit' })
    return { org, apiKey: key.secret, apiKeyId: key.id }
  })
}
