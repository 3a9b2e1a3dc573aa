/** What other features may use of the audit log. */
export { auditLogTable } from './table'
export type { AuditRow } from './table'
export { AUDIT_ACTIONS, recordAudit, listAudit, type AuditAction } from './record'
