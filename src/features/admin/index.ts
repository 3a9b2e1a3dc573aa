/** What the CLI and other modules may use of the operator features. */
export { adminRoutes } from './routes'
export { applyOperatorCredit, createOrgAsOperator, operatorReference } from './service'
export { listAllBatches, listOrgLedger, listOrgs } from './service'
export { createKeyAsOperator, listKeysAsOperator, revokeKeyAsOperator } from './keys'
export { presentAdminBatch, presentAdminOrg, presentCreatedOrg, presentList } from './present'
