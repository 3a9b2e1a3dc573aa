/** Ids of the simulator's objects: a dialect prefix and random hex, never reused (also not after a reset or restart). */

/** A random id with a dialect prefix (`batch_`, `file-`, `msgbatch_`). */
export function simId(prefix: string): string {
  return prefix + crypto.randomUUID().replace(/-/g, '').slice(0, 24)
}
