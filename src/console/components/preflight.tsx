/** The per-line problems of a 400 preflight_failed (or an upload's bad line), listed so each can be fixed. */
import type { ApiError } from '../api'

interface Problem {
  line?: number | null
  item?: string | null
  code: string
  message: string
}

export function PreflightList({ error }: { error: ApiError | null }) {
  const problems = (error?.details as { preflight?: Problem[] } | null)?.preflight
  if (!problems?.length) return null
  return (
    <ul class="preflight" aria-label="Problems to fix">
      {problems.map((p, i) => (
        <li key={i}>
          {p.line ? `Line ${p.line}` : 'Request'}
          {p.item ? ` (${p.item})` : ''}: <code>{p.code}</code> {p.message}
        </li>
      ))}
    </ul>
  )
}
