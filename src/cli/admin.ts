/** `batchrouter admin create-key`: prints a new operator key once. */
import type { Config } from '../config'
import { insertApiKey } from '../features/api-keys/store'
import { openStore } from './open-store'

export function runAdmin(config: Config, sub: string | undefined, opts: { name?: string }): number {
  if (sub !== 'create-key') {
    console.error(`unknown admin subcommand '${sub ?? ''}' (use: admin create-key [--name NAME])`)
    return 2
  }
  const deps = openStore(config)
  try {
    const key = insertApiKey(deps, { orgId: null, kind: 'admin', name: opts.name ?? 'operator' })
    console.log(key.secret)
    console.error(`admin key ${key.id} created; it is shown only this once`)
    return 0
  } finally {
    deps.db.$client.close()
  }
}
