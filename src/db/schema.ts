/** Every table of the appliance, re-exported for drizzle-kit and for the db client's types. */
export * from '../features/accounts/table'
export * from '../features/api-keys/table'
export * from '../features/credits/table'
export * from '../features/audit/table'
export * from '../features/files/table'
export * from '../features/quotes/table'
export * from '../features/batches/table'
