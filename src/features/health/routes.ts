/** `/healthz` (process up) and `/readyz` (DB open, migrated, scheduler running, disk writable). */
import { Elysia, t } from 'elysia'
import { accessSync, constants } from 'node:fs'
import type { Deps } from '../../deps'
import { AppError } from '../../lib/errors'
import { isMigrated } from '../../db/migrate'

export interface Readiness {
  draining: () => boolean
  schedulerRunning: () => boolean
}

export function healthRoutes(deps: Deps, readiness: Readiness) {
  return new Elysia({ tags: ['Operations'] })
    .get('/healthz', () => ({ status: 'ok' as const }), {
      detail: { summary: 'Liveness: the process is up', security: [] },
      response: t.Object({ status: t.Literal('ok') }, { examples: [{ status: 'ok' }] }),
    })
    .get(
      '/readyz',
      () => {
        const checks = {
          database: safe(() => deps.db.$client.query('SELECT 1').get() !== null),
          migrations: safe(() => isMigrated(deps.db)),
          scheduler: readiness.schedulerRunning(),
          disk: safe(() => (accessSync(deps.paths.tmp, constants.W_OK), true)),
          draining: readiness.draining(),
        }
        if (checks.draining || !checks.database || !checks.migrations || !checks.scheduler || !checks.disk) {
          throw new AppError('not_ready', { message: 'Not ready: ' + Object.entries(checks).filter(([k, v]) => (k === 'draining' ? v : !v)).map(([k]) => k).join(', '), details: { checks }, retryAfter: 5 })
        }
        return { status: 'ready' as const, checks }
      },
      {
        detail: { summary: 'Readiness: database, migrations, scheduler and disk are all good', security: [] },
        response: t.Object({ status: t.Literal('ready'), checks: t.Record(t.String(), t.Boolean()) }, { examples: [{ status: 'ready', checks: { database: true, migrations: true, scheduler: true, disk: true, draining: false } }] }),
      },
    )
}

function safe(fn: () => boolean): boolean {
  try {
    return fn()
  } catch {
    return false
  }
}
