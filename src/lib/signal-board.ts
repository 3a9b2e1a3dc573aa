/**
 * Named signals with listeners: `on(name, fn)` until the returned unsubscribe is called,
 * `emit(name)` calls every listener of that name. Carries no payload on purpose: a listener
 * learns only that something happened and reads the state it cares about (from SQLite) itself.
 * `deps.onNudge` is built on it, so HTTP-side waiters (the fleet's lease long poll) wake on a
 * job nudge whichever thread the job runs on.
 */

/** A listener registry keyed by signal name. */
export interface SignalBoard<K extends string> {
  /** Calls `fn` on every `emit(name)` until the returned function is called. */
  on(name: K, fn: () => void): () => void
  /** Calls the listeners of `name` (a throwing listener does not stop the others). */
  emit(name: K): void
}

/** A new, empty board. */
export function createSignalBoard<K extends string>(onListenerError?: (err: unknown) => void): SignalBoard<K> {
  const listeners = new Map<K, Set<() => void>>()
  return {
    on(name, fn) {
      let set = listeners.get(name)
      if (!set) listeners.set(name, (set = new Set()))
      // A wrapper per subscription, so the same function subscribed twice is two subscriptions.
      const entry = () => fn()
      set.add(entry)
      return () => void set.delete(entry)
    },
    emit(name) {
      const set = listeners.get(name)
      if (!set) return
      for (const fn of [...set]) {
        try {
          fn()
        } catch (err) {
          onListenerError?.(err)
        }
      }
    },
  }
}
