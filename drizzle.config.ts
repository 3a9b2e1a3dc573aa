import { defineConfig } from 'drizzle-kit'

// drizzle-kit reads the tables each feature owns (listed in dependency order, so the generated
// SQL creates parents first) and writes SQL migrations into drizzle/.
export default defineConfig({
  dialect: 'sqlite',
  schema: [
    './src/features/accounts/table.ts',
    './src/features/api-keys/table.ts',
    './src/features/credits/table.ts',
    './src/features/audit/table.ts',
    './src/features/files/table.ts',
    './src/features/quotes/table.ts',
    './src/features/batches/table.ts',
    './src/features/items/table.ts',
    './src/features/dispatch/table.ts',
    './src/features/webhooks/table.ts',
    './src/features/routing/table.ts',
    './src/features/fleet/table.ts',
  ],
  out: './drizzle',
})
