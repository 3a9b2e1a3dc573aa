/** What other features may use of accounts. */
export { orgsTable } from './table'
export type { OrgRow } from './table'
export { createOrg, type NewOrg } from './orgs'
export { getOrg } from './service'
export { checkWebhookUrl, webhookUrlProblem } from './webhook-url'
export { presentDeliveryWebhook } from './present'
export { Email, OrgName, DeliveryWebhookObject } from './models'
export { accountsRoutes } from './routes'
