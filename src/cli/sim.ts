/** `batchrouter sim --port N`: the provider simulator as its own process. */
import { startSimulatorServer } from '../sim/server'

export async function runSim(opts: { host: string; port: number }): Promise<number> {
  const sim = startSimulatorServer(opts)
  console.log(`provider simulator listening on ${sim.url} (control: ${sim.url}/_sim/scenario, /_sim/stats, /_sim/reset)`)
  return -1
}
