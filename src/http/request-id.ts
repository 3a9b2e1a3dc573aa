/** Request ids: one per request, on every response and every log line about it. */
import { newId } from '../lib/ids'

const ids = new WeakMap<Request, string>()

/** The request's id, created on first use. */
export function requestIdOf(request: Request): string {
  let id = ids.get(request)
  if (!id) {
    id = newId('request')
    ids.set(request, id)
  }
  return id
}

/** Gives `to` (a copy of a request made by the edge) the same id as `from`. */
export function shareRequestId(from: Request, to: Request): void {
  ids.set(to, requestIdOf(from))
}
