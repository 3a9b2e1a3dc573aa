/**
 * Scheduled backups (config `backups: {dir, everyHours, keep}`): a pass makes a backup when the
 * newest one in `dir` is at least `everyHours` old, then keeps only the `keep` newest. Backups are
 * `backup-<UTC time>/` folders; a `.partial` one is a pass that did not finish and is removed.
 */
import { readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Deps } from '../../deps'
import { createBackup } from './create'

const NAME = /^backup-(\d{8}T\d{6}Z)$/

/** `backup-20260101T120000Z` for a time in ms. */
export function backupName(ms: number): string {
  return `backup-${new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`
}

/** Finished backups in `dir`, oldest first, with the time in their names. */
export function listBackups(dir: string): { name: string; at: number }[] {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return []
  }
  return names
    .map((name) => ({ name, m: NAME.exec(name) }))
    .filter((e) => e.m)
    .map((e) => ({ name: e.name, at: Date.parse(e.m![1]!.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z')) }))
    .sort((a, b) => a.at - b.at)
}

/** One scheduled pass at `now`; resolves true when it wrote a backup. No-op without `backups` in config. */
export async function runScheduledBackup(deps: Deps, now: number): Promise<boolean> {
  const settings = deps.config.backups
  if (!settings) return false
  const newest = listBackups(settings.dir).at(-1)
  if (newest && now - newest.at < settings.everyHours * 3600_000) return false
  for (const name of readdirSafe(settings.dir)) if (name.endsWith('.partial')) rmSync(join(settings.dir, name), { recursive: true, force: true })
  const result = await createBackup(deps, join(settings.dir, backupName(now)))
  const all = listBackups(settings.dir)
  for (const old of all.slice(0, Math.max(0, all.length - settings.keep))) rmSync(join(settings.dir, old.name), { recursive: true, force: true })
  deps.log.info('backup written', { dir: result.dir, bytes: result.bytes, entries: result.manifest.entries.length, kept: Math.min(all.length, settings.keep) })
  return true
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}
