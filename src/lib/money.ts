/**
 * Money is integer micro-dollars (1 USD = 1_000_000) inside the appliance and a 6-decimal string
 * on the wire. This module is the only place that converts between the two.
 */

export const MICROS_PER_USD = 1_000_000

/** Formats micro-dollars as a 6-decimal string: 1234 → "0.001234", -5 → "-0.000005". */
export function formatMicros(micros: number): string {
  if (!Number.isSafeInteger(micros)) throw new RangeError(`not an integer amount: ${micros}`)
  const sign = micros < 0 ? '-' : ''
  const abs = Math.abs(micros)
  const whole = Math.floor(abs / MICROS_PER_USD)
  const frac = String(abs % MICROS_PER_USD).padStart(6, '0')
  return `${sign}${whole}.${frac}`
}

/** The wire money object `{currency:"usd", amount}`. */
export function moneyObject(micros: number): { currency: 'usd'; amount: string } {
  return { currency: 'usd', amount: formatMicros(micros) }
}

/**
 * Parses a decimal USD string ("25", "25.5", "0.000001") into micro-dollars.
 * Returns null for anything else: more than 6 decimals, exponents, signs unless allowed, junk.
 */
export function parseMicros(text: string, opts: { allowNegative?: boolean } = {}): number | null {
  const match = /^(-)?(\d{1,12})(?:\.(\d{1,6}))?$/.exec(text.trim())
  if (!match) return null
  if (match[1] && !opts.allowNegative) return null
  const whole = Number(match[2])
  const frac = Number((match[3] ?? '').padEnd(6, '0'))
  const micros = whole * MICROS_PER_USD + frac
  return match[1] ? -micros : micros
}

/**
 * Cost in micro-dollars of `tokens` at `ratePer1mMicros` micro-dollars per million tokens (plus
 * `moreTokens` at `moreRate`: one item's input and output together), rounded once, half up, from
 * the exact product — the project's one rounding rule (README "Money and rounding"). Rounding
 * each kind, or each item, up to a whole micro-dollar made 300 tiny items cost 300 µ$.
 */
export function costOfTokens(tokens: number, ratePer1mMicros: number, moreTokens = 0, moreRate = 0): number {
  const exact = Math.max(0, tokens) * Math.max(0, ratePer1mMicros) + Math.max(0, moreTokens) * Math.max(0, moreRate)
  return Math.floor((exact + 500_000) / 1_000_000)
}

/** `amount × bps / 10000`, rounded half up, for fees and discounts in basis points. */
export function applyBps(amount: number, bps: number): number {
  return Math.round((amount * bps) / 10_000)
}

/**
 * Costs (listed in write-off order) brought down to add up to at most `cap`: the excess is taken
 * off the first ones, each down to at most 0; the rest are unchanged. Σ result = min(Σ costs, cap).
 */
export function capCosts(costs: readonly number[], cap: number): number[] {
  let excess = costs.reduce((a, c) => a + c, 0) - Math.max(0, cap)
  return costs.map((c) => {
    if (excess <= 0) return c
    const off = Math.min(excess, c)
    excess -= off
    return c - off
  })
}
