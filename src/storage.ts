/** The data directory layout: router.db, files/, artifacts/, tmp/ (emptied on start). */
import { mkdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Paths } from './deps'

/** Creates the layout under `dataDir` and empties tmp/ (left-overs of a crash). */
export function prepareDataDir(dataDir: string): Paths {
  const root = resolve(dataDir)
  const paths: Paths = {
    dataDir: root,
    db: join(root, 'router.db'),
    files: join(root, 'files'),
    artifacts: join(root, 'artifacts'),
    tmp: join(root, 'tmp'),
  }
  rmSync(paths.tmp, { recursive: true, force: true })
  for (const dir of [root, paths.files, paths.artifacts, paths.tmp]) mkdirSync(dir, { recursive: true })
  return paths
}
