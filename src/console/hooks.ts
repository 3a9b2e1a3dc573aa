/** Data loading for views: one request per view state, optional polling while something runs. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { ApiError } from './api'

export interface Loaded<T> {
  data: T | undefined
  error: ApiError | null
  loading: boolean
  /** Loads again now (after an action changed the data). */
  reload: () => void
}

export interface LoadOptions<T> {
  /** Poll every this many ms while `keepPolling(data)` is true and the tab is visible. */
  pollMs?: number
  keepPolling?: (data: T) => boolean
}

/** Runs `load` when `deps` change (and on reload/poll); stale answers are dropped. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], opts: LoadOptions<T> = {}): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined)
  const [error, setError] = useState<ApiError | null>(null)
  const [loading, setLoading] = useState(true)
  const generation = useRef(0)
  const run = useCallback(() => {
    const mine = ++generation.current
    setLoading(true)
    load().then(
      (value) => {
        if (mine !== generation.current) return
        setData(value)
        setError(null)
        setLoading(false)
      },
      (err) => {
        if (mine !== generation.current) return
        setError(err instanceof ApiError ? err : new ApiError(0, 'client_error', String(err)))
        setLoading(false)
      },
    )
  }, deps)
  useEffect(() => {
    setData(undefined)
    run()
  }, [run])
  const polling = opts.pollMs !== undefined && data !== undefined && (opts.keepPolling?.(data) ?? true)
  useEffect(() => {
    if (!polling) return
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') run()
    }, opts.pollMs)
    return () => clearInterval(timer)
  }, [polling, run, opts.pollMs])
  return { data, error, loading, reload: run }
}

/** Runs an action (a POST, PUT or DELETE) with a busy flag and its error kept for display. */
export function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const run = async (...args: A): Promise<R | undefined> => {
    setBusy(true)
    setError(null)
    try {
      return await action(...args)
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'client_error', String(err)))
      return undefined
    } finally {
      setBusy(false)
    }
  }
  return { run, busy, error, clearError: () => setError(null) }
}
