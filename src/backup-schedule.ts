/**
 * Runs scheduled backups inside the server when the config has a `backups` section: a pass every
 * five minutes (croner, never overlapping) makes a backup once the newest is `everyHours` old.
 * The work itself is features/backups' `runScheduledBackup`; tests call `runNow` with a fake time.
 */
import { Cron } from 'croner'
import type { Deps } from './deps'
import { runScheduledBackup } from './features/backups'

export interface BackupSchedule {
  /** One pass at `now` (resolves true when a backup was written). */
  runNow(now: number): Promise<boolean>
  /** Stops the timer and waits for a pass in progress. */
  stop(): Promise<void>
}

/** Starts the timer when `timer` is true and backups are configured; `runNow` works either way. */
export function startBackupSchedule(deps: Deps, opts: { timer: boolean }): BackupSchedule {
  let running: Promise<boolean> | null = null
  const runNow = (now: number) => {
    running ??= runScheduledBackup(deps, now).finally(() => (running = null))
    return running
  }
  const pass = async () => {
    await runNow(deps.clock.now()).catch((err: unknown) => deps.log.error('scheduled backup failed', { error: err instanceof Error ? err.message : String(err) }))
  }
  const cron = opts.timer && deps.config.backups ? new Cron('*/5 * * * *', { protect: true, unref: true }, pass) : null
  // A backup may be due at start (none yet, or the router was down when one was due).
  if (cron) void pass()
  return {
    runNow,
    async stop() {
      cron?.stop()
      await running?.catch(() => false)
    },
  }
}
