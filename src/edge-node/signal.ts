/** A wake-up: `wait(ms)` resolves when `notify()` is called or after `ms` — the node's loops sleep on these, never spin. */
export class Signal {
  private waiters = new Set<() => void>()

  /** Resolves on the next notify, or after `ms` when given. */
  wait(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined
      const done = () => {
        if (timer) clearTimeout(timer)
        this.waiters.delete(done)
        resolve()
      }
      if (ms !== undefined) timer = setTimeout(done, ms)
      this.waiters.add(done)
    })
  }

  notify(): void {
    for (const w of [...this.waiters]) w()
  }
}
