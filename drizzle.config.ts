import { defineConfig } from 'drizzle-kit'

// drizzle-kit reads the tables from src/db/schema.ts and writes SQL migrations into drizzle/.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema.ts',
  out: './drizzle',
})
