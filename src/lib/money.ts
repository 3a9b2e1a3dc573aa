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
 * Cost in micro-dollars of `tokens` at `ratePer1mMicros` micro-dollars per million tokens,
 * rounded up so that rounding never favours the operator by less than a micro-dollar per call.
 */
export function costOfTokens(tokens: number, ratePer1mMicros: number): number {
  if (tokens <= 0 || ratePer1mMicros <= 0) return 0
  return Math.ceil((tokens * ratePer1mMicros) / 1_000_000)
}

/** `amount × bps / 10000`, rounded half up, for fees and discounts in basis points. */
export function applyBps(amount: number, bps: number): number {
  return Math.round((amount * bps) / 10_000)
}
