/** Hash routing (`/console#/batches/bat_…`): the server serves one page, so every view survives a reload. */
import { useEffect, useState } from 'preact/hooks'

export interface Route {
  /** Path segments after `#/`, e.g. ['batches', 'bat_…']. */
  parts: string[]
  query: URLSearchParams
}

function parse(): Route {
  const raw = location.hash.replace(/^#\/?/, '')
  const [path = '', qs = ''] = raw.split('?')
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(qs) }
}

/** The current route; re-renders on every hash change. */
export function useRoute(): Route {
  const [route, setRoute] = useState(parse)
  useEffect(() => {
    const update = () => setRoute(parse())
    addEventListener('hashchange', update)
    return () => removeEventListener('hashchange', update)
  }, [])
  return route
}

/** The href of a view: `link('batches', id)` → `#/batches/<id>`. */
export function link(...parts: string[]): string {
  return '#/' + parts.map(encodeURIComponent).join('/')
}

/** Goes to a view. */
export function navigate(href: string): void {
  location.hash = href.replace(/^#/, '')
}
