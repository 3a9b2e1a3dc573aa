/**
 * State machines as tables (River and Oban style): every status a row can have, and for each the
 * statuses it may move to. A guard built from the table checks each write's `from → to` and
 * returns the `from` list for `UPDATE … WHERE status IN (…)`, so a status is never set from an
 * unexpected place and a concurrent writer that got there first makes the update a no-op.
 */

/**
 * `guard(from, to)` throws on an illegal move (a programming error, caught by the first test that
 * takes it) and returns `from`; `guard.into(to, among)` is every status of `among` that may move to `to`.
 */
export interface TransitionGuard<S extends string> {
  (from: readonly S[], to: S): S[]
  into(to: S, among: readonly S[]): S[]
}

/** The guard of the machine `name` whose allowed moves are `table`. */
export function transitionGuard<S extends string>(name: string, table: Readonly<Record<S, readonly S[]>>): TransitionGuard<S> {
  const guard = (from: readonly S[], to: S): S[] => {
    for (const f of from) {
      if (!table[f].includes(to)) throw new Error(`illegal ${name} transition ${f} → ${to}`)
    }
    return [...from]
  }
  return Object.assign(guard, { into: (to: S, among: readonly S[]) => among.filter((f) => table[f].includes(to)) })
}

/** Every `[from, to]` pair the table allows (for tests over the whole table). */
export function allowedMoves<S extends string>(table: Readonly<Record<S, readonly S[]>>): Array<[S, S]> {
  return (Object.keys(table) as S[]).flatMap((from) => table[from].map((to): [S, S] => [from, to]))
}
