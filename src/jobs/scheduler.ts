/**
 * The in-process scheduler: croner supplies a tick (`protect: true`, so ticks never overlap),
 * and `nudge` runs a job early when a write has just given it work. Jobs keep all state in
 * SQLite; a job's `run(deps, now)` is what tests call directly with a fake clock.
 */
import { Cron } from 'croner'
import type { Deps, JobName } from '../deps'
import { storageFullError } from '../lib/errors'

export interface Job {
  /** Stable id, e.g. `route-batches`. */
  name: JobName
  /** Does one bounded pass of work; returns true when it did something (so it is run again soon). */
  run(deps: Deps, now: number): Promise<boolean> | boolean
}

export class Scheduler {
  private crons: Cron[] = []
  private running = new Map<JobName, Promise<void>>()
  private again = new Set<JobName>()
  private stopped = true

  constructor(private deps: Deps, private jobs: Job[]) {}

  /** Starts one croner tick per job at `tickMs` (whole seconds for croner; sub-second ticks use a timer). */
  start(tickMs: number): void {
    this.stopped = false
    for (const job of this.jobs) {
      const cron = new Cron('* * * * * *', { protect: true, interval: Math.max(1, Math.round(tickMs / 1000)), unref: true }, () => this.trigger(job.name))
      this.crons.push(cron)
    }
    if (tickMs < 1000) {
      const timer = setInterval(() => this.jobs.forEach((j) => this.trigger(j.name)), tickMs)
      timer.unref?.()
      this.timers.push(timer)
    }
  }
  private timers: ReturnType<typeof setInterval>[] = []

  get isRunning(): boolean {
    return !this.stopped
  }

  /**
   * Runs `name` soon (on the next turn of the event loop) unless it is already running, in which
   * case it runs once more afterwards. Never inside the caller: a nudge from a request handler
   * must not make that request wait for — or be blocked by — a job pass (routing a 50,000-item
   * batch took ~0.6 s inside POST /v1/batches).
   */
  trigger(name: JobName): void {
    if (this.stopped) return
    if (this.running.has(name)) {
      this.again.add(name)
      return
    }
    if (this.scheduled.has(name)) return
    this.scheduled.add(name)
    setImmediate(() => {
      this.scheduled.delete(name)
      this.runNow(name)
    })
  }
  private scheduled = new Set<JobName>()

  private runNow(name: JobName): void {
    if (this.stopped) return
    if (this.running.has(name)) {
      this.again.add(name)
      return
    }
    const job = this.jobs.find((j) => j.name === name)
    if (!job) return
    const pass = (async () => {
      try {
        const didWork = await job.run(this.deps, this.deps.clock.now())
        if (didWork) this.again.add(name)
        this.deps.metrics.countJobPass(name, false)
      } catch (err) {
        this.deps.metrics.countJobPass(name, true)
        // A full data disk is said plainly: the work stays where it was and is retried when its lease lapses.
        const diskFull = storageFullError(err) !== null
        this.deps.log.error(diskFull ? 'job failed: the data disk is full' : 'job failed', { job: name, ...(diskFull ? { disk_full: true } : {}), error: err instanceof Error ? (err.stack ?? err.message) : String(err) })
      }
    })()
    this.running.set(name, pass)
    void pass.finally(() => {
      this.running.delete(name)
      if (this.again.delete(name)) queueMicrotask(() => this.trigger(name))
    })
  }

  /** Stops ticking and waits for passes in progress to finish (graceful drain). */
  async stop(): Promise<void> {
    this.stopped = true
    for (const cron of this.crons) cron.stop()
    for (const timer of this.timers) clearInterval(timer)
    this.crons = []
    await Promise.allSettled([...this.running.values()])
  }
}
