/** How values read on screen. Money stays the server's exact 6-decimal string. */

/** `"0.001234"` → `"$0.001234"`. */
export function money(amount: string | null | undefined): string {
  if (amount === null || amount === undefined) return '—'
  return amount.startsWith('-') ? `−$${amount.slice(1)}` : `$${amount}`
}

/** An ISO time or unix seconds as local `YYYY-MM-DD HH:MM:SS`. */
export function when(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '—'
  const d = typeof value === 'number' ? new Date(value * 1000) : new Date(value)
  if (Number.isNaN(d.getTime())) return String(value)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
}

/** 0..1 → `"42 %"` (whole percent, floored so 100 % means done). */
export function percent(fraction: number): string {
  return `${Math.floor(Math.max(0, Math.min(1, fraction)) * 100)} %`
}

/** Seconds as `"6 h"`, `"25 min"`, `"40 s"`. */
export function duration(seconds: number): string {
  if (seconds >= 3600) return `${Math.round(seconds / 360) / 10} h`
  if (seconds >= 60) return `${Math.round(seconds / 60)} min`
  return `${Math.round(seconds)} s`
}

/** Bytes as `"1.2 MB"`. */
export function bytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${n} B`
}

/** Native statuses that will not change any more. */
export const TERMINAL_STATUSES = ['completed', 'failed', 'cancelled', 'expired']

export function isTerminal(status: string): boolean {
  return TERMINAL_STATUSES.includes(status)
}
