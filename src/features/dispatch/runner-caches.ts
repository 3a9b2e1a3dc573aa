/**
 * What runners read once and keep: each lane's locked rates and each batch's input (neither
 * changes once written). Dropped past CACHE_LIMIT entries; they are cheap to reload.
 */
import { inArray } from 'drizzle-orm'
import type { Deps } from '../../deps'
import type { BatchInput, ClaimedItem } from './item-work'
import type { WorkPorts } from './ports'
import type { LaneRates } from './outcomes'
import { lanesTable } from './table'

const CACHE_LIMIT = 10_000

export type Rates = LaneRates

export class RunnerCaches {
  private readonly laneRates = new Map<string, Rates>()
  private readonly batchInputs = new Map<string, BatchInput>()

  constructor(private readonly deps: Deps, private readonly ports: Pick<WorkPorts, 'batch'>) {}

  /** The input of every batch of `items` (a missing batch is left out). */
  inputs(items: readonly Pick<ClaimedItem, 'batchId'>[]): Map<string, BatchInput> {
    for (const batchId of new Set(items.map((i) => i.batchId))) {
      if (this.batchInputs.has(batchId)) continue
      if (this.batchInputs.size > CACHE_LIMIT) this.batchInputs.clear()
      const batch = this.ports.batch(this.deps, batchId)
      if (batch) this.batchInputs.set(batchId, { inputPath: batch.inputPath, orgId: batch.orgId })
    }
    return this.batchInputs
  }

  /** Loads the rates of the lanes of `items` not cached yet (one query). */
  rates(items: readonly Pick<ClaimedItem, 'laneId'>[]): void {
    const missing = [...new Set(items.map((i) => i.laneId ?? ''))].filter((id) => !this.laneRates.has(id))
    if (missing.length === 0) return
    if (this.laneRates.size > CACHE_LIMIT) this.laneRates.clear()
    const rows = this.deps.db.select({ id: lanesTable.id, input: lanesTable.inputRate, output: lanesTable.outputRate, slaMultiplierBps: lanesTable.slaMultiplierBps }).from(lanesTable).where(inArray(lanesTable.id, missing)).all()
    for (const r of rows) this.laneRates.set(r.id, { input: r.input, output: r.output, slaMultiplierBps: r.slaMultiplierBps })
  }

  /** A lane's locked rates (zero for an unknown lane: nothing is charged rather than guessed). */
  rateOf(laneId: string | null): Rates {
    return this.laneRates.get(laneId ?? '') ?? { input: 0, output: 0, slaMultiplierBps: 10_000 }
  }
}
