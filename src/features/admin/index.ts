/** What the CLI and other modules may use of the operator features. */
export { adminRoutes } from './routes'
export { applyOperatorCredit, createOrgAsOperator, operatorReference } from './service'
