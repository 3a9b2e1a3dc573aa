/** Exponential backoff with full jitter, bounded. Pure: randomness is passed in. */

/**
 * Delay before attempt `attempt` (1-based retry count): base × factor^(attempt-1) (factor 2 by
 * default), capped, then a random fraction in [0.5, 1] of it so that many retries do not land together.
 */
export function backoffMs(attempt: number, opts: { baseMs: number; maxMs: number; factor?: number }, random: () => number = Math.random): number {
  const exp = Math.min(opts.maxMs, opts.baseMs * (opts.factor ?? 2) ** Math.max(0, attempt - 1))
  return Math.round(exp * (0.5 + random() * 0.5))
}
