/** Small building blocks every view uses: page frame, labelled fields, errors, status, progress, figures. */
import type { ComponentChildren } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import type { ApiError } from '../api'
import { percent } from '../format'

/** Whether a view has been shown yet: the first one leaves focus at the top (the skip link comes first). */
let firstView = true

/** A view: its heading (focused when the user moves to it, so screen readers announce the new page) and content. */
export function Page({ title, actions, children }: { title: string; actions?: ComponentChildren; children: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null)
  useEffect(() => {
    document.title = `${title} · BatchRouter console`
  }, [title])
  useEffect(() => {
    if (firstView) firstView = false
    else heading.current?.focus({ preventScroll: true })
  }, [])
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-head">
        <h1 id="page-title" tabIndex={-1} ref={heading}>
          {title}
        </h1>
        {actions && <div class="page-actions">{actions}</div>}
      </header>
      {children}
    </section>
  )
}

/** A titled block inside a page. */
export function Panel({ title, children, id }: { title: string; children: ComponentChildren; id?: string }) {
  const headingId = `${id ?? title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-title`
  return (
    <section class="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {children}
    </section>
  )
}

/** An input with its visible label (the label wraps the control, so they are always associated). */
export function Field({ label, hint, children }: { label: string; hint?: string; children: ComponentChildren }) {
  return (
    <label class="field">
      <span class="field-label">{label}</span>
      {children}
      {hint && <span class="field-hint">{hint}</span>}
    </label>
  )
}

/** The server's message for a failed call, announced to screen readers. */
export function ErrorNote({ error }: { error: ApiError | null | undefined }) {
  if (!error) return null
  return (
    <p class="error" role="alert">
      <strong>{error.code}</strong> {error.message}
    </p>
  )
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p class="muted" role="status">
      {what}…
    </p>
  )
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>
}

/** A native status as a coloured badge. */
export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge-${status}`}>{status.replace(/_/g, ' ')}</span>
}

/** A progress bar with its value exposed to assistive technology (and to tests) as aria-valuenow. */
export function ProgressBar({ fraction, label, detail }: { fraction: number; label: string; detail?: string }) {
  const value = Math.floor(Math.max(0, Math.min(1, fraction)) * 100)
  return (
    <div class="progress-wrap">
      <div class="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={value} aria-valuetext={`${percent(fraction)}${detail ? `, ${detail}` : ''}`}>
        <div class={`progress-fill${value === 100 ? ' done' : ''}`} style={{ width: `${value}%` }} />
      </div>
      <span class="progress-text">{percent(fraction)}</span>
    </div>
  )
}

/** One figure with its label (balances, counts). */
export function Stat({ label, value, hint }: { label: string; value: ComponentChildren; hint?: string }) {
  return (
    <div class="stat">
      <div class="stat-label">{label}</div>
      <div class="stat-value">{value}</div>
      {hint && <div class="stat-hint">{hint}</div>}
    </div>
  )
}

/** A secret shown once (a new API key), with a copy button. */
export function ShownOnce({ label, secret }: { label: string; secret: string }) {
  const [copied, setCopied] = useState(false)
  const copy = async () => {
    await navigator.clipboard?.writeText(secret).catch(() => undefined)
    setCopied(true)
  }
  return (
    <div class="shown-once" role="status">
      <p>
        <strong>{label}</strong> It is shown only now: store it somewhere safe.
      </p>
      <code class="secret" data-testid="shown-once-secret">
        {secret}
      </code>
      <button type="button" onClick={copy}>
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  )
}

/** Monospace id text. */
export function Id({ children }: { children: ComponentChildren }) {
  return <code class="id">{children}</code>
}
