/**
 * `batchrouter sim --port N [--data-dir DIR]`: the provider simulator as its own process. With a
 * data dir its files and batches persist there (a restart, even after kill -9, keeps them);
 * without one it is in memory.
 */
import { SimDirLockedError } from '../sim/sim-db'
import { startSimulatorServer } from '../sim/server'

/** Resolves with -1 (keep running), or 1 when the data dir is held by another simulator. */
export async function runSim(opts: { host: string; port: number; dataDir?: string }): Promise<number> {
  let sim
  try {
    sim = startSimulatorServer(opts)
  } catch (err) {
    if (!(err instanceof SimDirLockedError)) throw err
    console.error(err.message)
    return 1
  }
  const storage = opts.dataDir ? `data in ${opts.dataDir}` : 'in memory'
  console.log(`provider simulator listening on ${sim.url} (control: ${sim.url}/_sim/scenario, /_sim/stats, /_sim/reset; ${storage})`)
  return -1
}
