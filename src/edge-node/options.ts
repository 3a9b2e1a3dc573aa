/**
 * The edge node's settings (contract §11 `batchrouter edge …`): flags first, then `BATCHROUTER_EDGE_*`
 * environment variables, then defaults. Unknown or malformed values are a usage error naming the fix.
 */

/** Everything the node needs to run. */
export interface EdgeOptions {
  /** The router's base URL (without `/v1`). */
  router: string
  /** Needed only until the node has joined (its credential is then in the data dir). */
  joinToken?: string
  /** The OpenAI-compatible server's base URL, ending in `/v1` (e.g. http://127.0.0.1:11434/v1). */
  upstream: string
  upstreamKey?: string
  dataDir: string
  name: string
  concurrency: number
  /** `--models` as given: `model` or `catalog-slug=served-name`, comma separated; empty = discover from /v1/models. */
  models: Array<{ model: string; served: string }>
  host: string
  port: number
  /** Results are pushed in groups of at most this many, or sooner (see node.ts). */
  resultGroup: number
}

/** A usage error: the message says which flag or variable to fix. */
export class EdgeUsageError extends Error {}

type Raw = Partial<Record<'router' | 'join-token' | 'upstream' | 'upstream-key' | 'data-dir' | 'name' | 'concurrency' | 'models' | 'host' | 'port', string>>

const ENV: Record<keyof Raw, string> = {
  router: 'BATCHROUTER_EDGE_ROUTER',
  'join-token': 'BATCHROUTER_EDGE_JOIN_TOKEN',
  upstream: 'BATCHROUTER_EDGE_UPSTREAM',
  'upstream-key': 'BATCHROUTER_EDGE_UPSTREAM_KEY',
  'data-dir': 'BATCHROUTER_EDGE_DATA_DIR',
  name: 'BATCHROUTER_EDGE_NAME',
  concurrency: 'BATCHROUTER_EDGE_CONCURRENCY',
  models: 'BATCHROUTER_EDGE_MODELS',
  host: 'BATCHROUTER_EDGE_HOST',
  port: 'BATCHROUTER_EDGE_PORT',
}

/** The flag names `batchrouter edge` accepts (for parseArgs). */
export const EDGE_FLAGS = Object.keys(ENV) as Array<keyof Raw>

/** The config file's `edge` section (camelCase keys) as flag values. */
export function fileFlags(section: Record<string, unknown> | undefined): Raw {
  const out: Raw = {}
  for (const flag of EDGE_FLAGS) {
    const value = section?.[flag.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())]
    if (value !== undefined) out[flag] = Array.isArray(value) ? value.join(',') : String(value)
  }
  return out
}

/** Resolves flags over env over the config file's `edge` section over defaults; throws EdgeUsageError for a missing or malformed value. */
export function resolveEdgeOptions(flags: Raw, env: Record<string, string | undefined> = process.env, file: Raw = {}): EdgeOptions {
  const get = (k: keyof Raw) => flags[k] ?? (env[ENV[k]] || undefined) ?? file[k]
  const router = get('router')
  const upstream = get('upstream')
  if (!router) throw new EdgeUsageError(`--router URL (or ${ENV.router}) is required: the router this node pulls work from`)
  if (!upstream) throw new EdgeUsageError(`--upstream URL (or ${ENV.upstream}) is required: the OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1`)
  return {
    router: url(router, 'router').replace(/\/v1$/, ''),
    upstream: url(upstream, 'upstream'),
    joinToken: get('join-token'),
    upstreamKey: get('upstream-key'),
    dataDir: get('data-dir') ?? './edge-data',
    name: get('name') ?? `edge-${process.env.HOSTNAME ?? 'node'}`,
    concurrency: int(get('concurrency'), 'concurrency', 4, 1, 10_000),
    models: parseModels(get('models')),
    host: get('host') ?? '127.0.0.1',
    port: int(get('port'), 'port', 8081, 0, 65_535),
    resultGroup: 100,
  }
}

function url(value: string, name: string): string {
  try {
    const parsed = new URL(value)
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme')
    return value.replace(/\/+$/, '')
  } catch {
    throw new EdgeUsageError(`--${name} must be an http(s) URL, not '${value}'`)
  }
}

function int(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < min || n > max) throw new EdgeUsageError(`--${name} must be a whole number ${min}..${max}, not '${value}'`)
  return n
}

/** `a,b=c` → [{model:a, served:a}, {model:b, served:c}]. */
export function parseModels(value: string | undefined): Array<{ model: string; served: string }> {
  if (!value) return []
  return value.split(',').map((part) => part.trim()).filter(Boolean).map((part) => {
    const [model, served] = part.split('=').map((s) => s.trim())
    if (!model || (part.includes('=') && !served)) throw new EdgeUsageError(`--models takes model or slug=served-name, comma separated; '${part}' is neither`)
    return { model, served: served ?? model }
  })
}
