/** The data directory layout: router.db, files/, artifacts/, tmp/ (emptied on start). */
import { mkdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Paths } from './deps'

/** Where everything of `dataDir` lives; touches nothing. */
export function dataDirPaths(dataDir: string): Paths {
  const root = resolve(dataDir)
  return {
    dataDir: root,
    db: join(root, 'router.db'),
    files: join(root, 'files'),
    artifacts: join(root, 'artifacts'),
    tmp: join(root, 'tmp'),
  }
}

/** Creates the layout under `dataDir` and empties tmp/ (left-overs of a crash). Only the lock holder may call it. */
export function prepareDataDir(dataDir: string): Paths {
  const paths = dataDirPaths(dataDir)
  rmSync(paths.tmp, { recursive: true, force: true })
  for (const dir of [paths.dataDir, paths.files, paths.artifacts, paths.tmp]) mkdirSync(dir, { recursive: true })
  return paths
}

/** Creates the layout without emptying tmp/: for commands that run beside a serving router. */
export function ensureDataDir(dataDir: string): Paths {
  const paths = dataDirPaths(dataDir)
  for (const dir of [paths.dataDir, paths.files, paths.artifacts, paths.tmp]) mkdirSync(dir, { recursive: true })
  return paths
}
