/** What other features may use of API keys. */
export { apiKeysTable } from './table'
export type { ApiKeyRow } from './table'
export { insertApiKey } from './store'
export { verifyApiKey, type Principal } from './guards'
export { apiKeysRoutes } from './routes'
export { getOrgKey } from './service'
export { parseOptionalJson } from './optional-json'
export { customerAuth, adminAuth, guardKindOf, rememberPrincipal, assertPrincipalKind, type CustomerAuth, type GuardKind } from './guards'
