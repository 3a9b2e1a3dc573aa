/**
 * A bounded-concurrency limiter, one per offering: at most `n` calls in flight, the rest wait in
 * FIFO order. Keep `n` ≤ 64 per upstream host: Bun's fetch keeps at most 64 idle keep-alive
 * connections per host, and beyond that every extra request opens a new connection (perf-notes).
 */

export interface Limiter {
  /** Runs `fn` once a slot is free; resolves or rejects with `fn`'s result. */
  run<T>(fn: () => Promise<T>): Promise<T>
  /** Calls running now. */
  readonly active: number
  /** Calls waiting for a slot. */
  readonly pending: number
}

/** A limiter allowing `n` (≥ 1) concurrent calls. Throws RangeError for a smaller or non-integer n. */
export function createLimiter(n: number): Limiter {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`limiter size must be a positive integer, got ${n}`)
  let active = 0
  const queue: (() => void)[] = []
  // A finishing call hands its slot straight to the next waiter, so a newcomer arriving in
  // between can never squeeze past the bound.
  const release = () => {
    const next = queue.shift()
    if (next) next()
    else active--
  }
  return {
    async run<T>(fn: () => Promise<T>): Promise<T> {
      if (active >= n) await new Promise<void>((resolve) => queue.push(resolve))
      else active++
      try {
        return await fn()
      } finally {
        release()
      }
    },
    get active() {
      return active
    },
    get pending() {
      return queue.length
    },
  }
}
