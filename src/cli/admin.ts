/** `batchrouter admin create-key`: prints a new operator key once (stdout), audited with actor null (the CLI). */
import type { Config } from '../config'
import { writeTx } from '../db/tx'
import { insertApiKey } from '../features/api-keys'
import { recordAudit } from '../features/audit'
import { openStore } from './open-store'

/** Exit codes: 0 ok, 2 unknown subcommand. */
export function runAdmin(config: Config, sub: string | undefined, opts: { name?: string }): number {
  if (sub !== 'create-key') {
    console.error(`unknown admin subcommand '${sub ?? ''}' (use: admin create-key [--name NAME])`)
    return 2
  }
  const deps = openStore(config)
  try {
    const key = writeTx(deps.db, () => {
      const created = insertApiKey(deps, { orgId: null, kind: 'admin', name: opts.name ?? 'operator' })
      recordAudit(deps, { actorKeyId: null, action: 'admin_key.create', subjectId: created.id, detail: { name: created.name } })
      return created
    })
    console.log(key.secret)
    console.error(`admin key ${key.id} created; it is shown only this once. Use it as Authorization: Bearer <key> on /v1/admin/*.`)
    return 0
  } finally {
    deps.db.$client.close()
  }
}
