/** `batchrouter migrate [status]`: apply the embedded migrations, or list them. */
import type { Config } from '../config'
import { migrateDb, migrationStatus } from '../db/migrate'
import { openStore } from './open-store'

export function runMigrate(config: Config, sub?: string): number {
  const deps = openStore(config, { migrate: false })
  try {
    if (sub === 'status') {
      for (const m of migrationStatus(deps.db)) console.log(`${m.applied ? 'applied' : 'pending'}  ${m.tag}`)
      return 0
    }
    if (sub !== undefined) {
      console.error(`unknown migrate subcommand '${sub}' (use: migrate | migrate status)`)
      return 2
    }
    migrateDb(deps.db)
    console.log(`database at head (${migrationStatus(deps.db).length} migrations)`)
    return 0
  } finally {
    deps.db.$client.close()
  }
}
