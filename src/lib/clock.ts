/** Time as a dependency: production code reads `deps.clock`, tests advance a FakeClock. */

export interface Clock {
  /** Milliseconds since the unix epoch. */
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }

/** A clock that moves only when told to; used by tests to drive jobs without sleeping. */
export class FakeClock implements Clock {
  constructor(private ms: number = Date.parse('2026-01-01T00:00:00.000Z')) {}
  now(): number {
    return this.ms
  }
  advance(ms: number): void {
    this.ms += ms
  }
  set(ms: number): void {
    this.ms = ms
  }
}

/** ISO-8601 UTC with milliseconds, the native timestamp format. */
export function toIso(ms: number): string {
  return new Date(ms).toISOString()
}

/** Unix seconds, the OpenAI timestamp format. */
export function toUnix(ms: number): number {
  return Math.floor(ms / 1000)
}
