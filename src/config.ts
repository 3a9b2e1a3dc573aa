/**
 * The only reader of flags, env and the config file. Precedence: defaults < config file < env
 * (`BATCHROUTER_*`) < flags. The result is validated with TypeBox and frozen; a bad value throws
 * ConfigError naming the key, which `main.ts` turns into exit code 2.
 */
import { Type as T, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { CatalogOverrides } from './catalog-schema'
import { assertAllowHostEntry } from './lib/safe-fetch'

const Bytes = (def: number, description: string) => T.Integer({ minimum: 1, default: def, description })
const SlaMultiplier = (def: number, tier: string) => T.Integer({ minimum: 0, maximum: 100_000, default: def, description: `Price multiplier of ${tier}, basis points (×0 … ×10).` })

/** The `edge` section: `batchrouter edge` settings (flags and BATCHROUTER_EDGE_* env win); the router ignores it. */
export const EdgeSection = T.Object(
  {
    router: T.Optional(T.String({ minLength: 1 })),
    joinToken: T.Optional(T.String({ minLength: 1 })),
    upstream: T.Optional(T.String({ minLength: 1 })),
    upstreamKey: T.Optional(T.String({ minLength: 1 })),
    dataDir: T.Optional(T.String({ minLength: 1 })),
    name: T.Optional(T.String({ minLength: 1 })),
    concurrency: T.Optional(T.Integer({ minimum: 1, maximum: 10_000 })),
    models: T.Optional(T.Union([T.String(), T.Array(T.String({ minLength: 1 }))])),
    host: T.Optional(T.String({ minLength: 1 })),
    port: T.Optional(T.Integer({ minimum: 0, maximum: 65_535 })),
  },
  { additionalProperties: false },
)
export type EdgeSection = Static<typeof EdgeSection>

export const ConfigSchema = T.Object({
  host: T.String({ default: '127.0.0.1', minLength: 1, description: 'Interface to listen on.' }),
  port: T.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'TCP port; 0 picks a free one.' }),
  dataDir: T.String({ default: 'data', minLength: 1, description: 'Directory for router.db, files/, artifacts/, tmp/.' }),
  demo: T.Boolean({ default: false, description: 'Mount the provider simulator, grant starting credit, print a key.' }),
  logLevel: T.Union([T.Literal('debug'), T.Literal('info'), T.Literal('warn'), T.Literal('error'), T.Literal('silent')], { default: 'info' }),
  jobs: T.Object(
    {
      thread: T.Union([T.Literal('worker'), T.Literal('main')], {
        default: 'worker',
        description: 'Where the scheduler and its jobs run: `worker` (a Bun Worker with its own SQLite connection, so job work never delays an HTTP answer) or `main` (the API thread, as tests that inject a clock or adapters need).',
      }),
    },
    { default: {} },
  ),
  tickMs: T.Integer({ minimum: 10, maximum: 600_000, default: 1000, description: 'Scheduler tick interval.' }),
  publicUrl: T.Optional(T.String({ description: 'Base URL used in signed artifact links; defaults to the listen address.' })),
  trustProxy: T.Boolean({ default: false, description: 'Behind a reverse proxy: take the client address from X-Forwarded-For and, without publicUrl, link hosts from X-Forwarded-Host/Proto. Off: request headers never decide an address or a link.' }),
  signingSecret: T.Optional(T.String({ minLength: 32, description: 'HMAC secret for jose tokens; generated into the data dir when absent.' })),
  registration: T.Union([T.Literal('open'), T.Literal('closed')], { default: 'closed', description: 'Self-service POST /v1/auth/agent-register: closed by default, open in demo mode.' }),
  startingCredit: T.String({ default: '0', pattern: '^\\d{1,9}(\\.\\d{1,6})?$', description: 'USD granted to each new org.' }),
  limits: T.Object(
    {
      batchUploadBytes: Bytes(200 * 1024 * 1024, 'Largest batch-input upload.'),
      batchLines: Bytes(50_000, 'Most lines in one batch input file.'),
      otherUploadBytes: Bytes(100 * 1024 * 1024, 'Largest non-batch upload.'),
      lineBytes: Bytes(4 * 1024 * 1024, 'Longest JSONL line.'),
      inlineItems: Bytes(5000, 'Most inline items per request.'),
      jsonBodyBytes: Bytes(16 * 1024 * 1024, 'Largest JSON request body (refused with 413 while it streams in); larger inputs go through POST /v1/files.'),
      jsonDepth: T.Integer({ minimum: 8, maximum: 512, default: 64, description: 'Deepest nesting of arrays and objects accepted in a JSON body or a JSONL line.' }),
    },
    { default: {} },
  ),
  fees: T.Object(
    {
      batchFeeBps: T.Integer({ minimum: 0, maximum: 10_000, default: 590 }),
      minimumCharge: T.String({ default: '0.000000', pattern: '^\\d{1,9}(\\.\\d{1,6})?$' }),
      discounts: T.Array(T.Object({ provider: T.String(), bps: T.Integer({ minimum: 0, maximum: 10_000 }), reason: T.String() }), { default: [] }),
      slaMultiplierBps: T.Object(
        {
          standard: SlaMultiplier(10_000, 'standard (24 h)'),
          flex: SlaMultiplier(9_500, 'flex (48 h): cheaper, yet at the default fee never below the provider price (1.059 × 0.95 ≈ 1.006)'),
          priority: SlaMultiplier(15_000, 'priority (1 h, fastest lanes first): dearer'),
        },
        { default: {}, description: 'Per-SLA-tier factor on the customer total (provider subtotal + fee − discount), in basis points (10000 = ×1); published as sla_multipliers, locked with a quote or batch.' },
      ),
    },
    { default: {} },
  ),
  sla: T.Object(
    {
      standardSeconds: T.Integer({ minimum: 60, default: 24 * 3600 }),
      flexSeconds: T.Integer({ minimum: 60, default: 48 * 3600 }),
      prioritySeconds: T.Integer({ minimum: 60, default: 3600 }),
    },
    { default: {} },
  ),
  catalog: T.Optional(CatalogOverrides),
  configPath: T.Optional(T.String({ description: 'Absolute path of the config file given with --config / BATCHROUTER_CONFIG; set by loadConfig (a value in the file is replaced). POST /v1/admin/catalog/reload re-reads its `catalog` section.' })),
  rateLimits: T.Object(
    {
      windowSeconds: T.Integer({ minimum: 1, maximum: 86_400, default: 60, description: 'Length of the request-rate window.' }),
      perKey: T.Integer({ minimum: 1, default: 6000, description: 'Requests one API key may make per window.' }),
      perOrg: T.Integer({ minimum: 1, default: 12_000, description: 'Requests all keys of one org may make per window.' }),
      failedAuthPerAddress: T.Integer({ minimum: 1, default: 300, description: 'Failed authentications one client address may make per window before every authenticated route answers it 429.' }),
      activeBatchesPerOrg: T.Integer({ minimum: 1, default: 1000, description: 'Batches one org may have unfinished at once; a create past it answers 429.' }),
    },
    { default: {} },
  ),
  circuit: T.Object(
    {
      failureThreshold: T.Integer({ minimum: 1, maximum: 1000, default: 3, description: "Consecutive failed, expired or stalled provider jobs that open a provider's circuit (routing then sends it no new lanes)." }),
      cooldownSeconds: T.Integer({ minimum: 1, maximum: 86_400, default: 300, description: 'Seconds after the last failure before an open circuit lets one probe lane through.' }),
    },
    { default: {} },
  ),
  providerJobs: T.Object(
    {
      pollMinMs: T.Integer({ minimum: 10, maximum: 3_600_000, default: 1000, description: 'Shortest wait between two polls of a provider batch job (a young job, or right after a cancel).' }),
      pollMaxMs: T.Integer({ minimum: 10, maximum: 3_600_000, default: 60_000, description: 'Longest wait between two polls of a provider batch job; in between, a fifth of the job\'s age.' }),
    },
    { default: {} },
  ),
  metrics: T.Object(
    { requireAdminKey: T.Boolean({ default: false, description: 'Serve GET /metrics only with an admin key (default: open, as the router listens on 127.0.0.1).' }) },
    { default: {} },
  ),
  backups: T.Optional(
    T.Object(
      {
        dir: T.String({ minLength: 1, description: 'Directory for scheduled backups (one backup-<UTC time>/ folder each); relative to the working directory.' }),
        everyHours: T.Number({ exclusiveMinimum: 0, default: 24, description: 'A backup is made once the newest is this many hours old.' }),
        keep: T.Integer({ minimum: 1, default: 7, description: 'How many backups to keep; older ones are deleted.' }),
      },
      { description: 'Scheduled backups run by the server; absent = none (use `batchrouter backup --to DIR`).' },
    ),
  ),
  fleet: T.Object(
    {
      heartbeatSeconds: T.Integer({ minimum: 1, maximum: 3600, default: 15, description: 'How often edge nodes heartbeat; a node silent for 3 intervals is offline.' }),
      leaseSeconds: T.Integer({ minimum: 5, maximum: 3600, default: 120, description: 'How long a fleet lease lasts unless the node extends it.' }),
      tokenTtlSeconds: T.Integer({ minimum: 60, maximum: 30 * 86_400, default: 86_400, description: 'Life of a node credential; heartbeats rotate it in its last quarter.' }),
      itemsPerSlot: T.Integer({ minimum: 1, default: 1000, description: "Items an edge lane may hold (queued or running) per unit of its nodes' concurrent_items." }),
      inputPer1m: T.Optional(T.String({ pattern: '^\\d{1,6}(\\.\\d{1,6})?$', description: 'Edge lane price, USD per 1M input tokens (default: the lowest node pricing, else 0).' })),
      outputPer1m: T.Optional(T.String({ pattern: '^\\d{1,6}(\\.\\d{1,6})?$', description: 'Edge lane price, USD per 1M output tokens (default: the lowest node pricing, else 0).' })),
    },
    { default: {} },
  ),
  edge: T.Optional(EdgeSection),
  webhooks: T.Object(
    {
      allowHosts: T.Array(T.String({ minLength: 1 }), { default: [], description: 'Host names, IPs or CIDRs webhooks may reach even when private (private deployments, tests).' }),
      allowHttp: T.Boolean({ default: false, description: 'Permit plain http:// webhooks to the hosts in allowHosts.' }),
    },
    { default: {} },
  ),
})

export type Config = Static<typeof ConfigSchema>

/** Thrown for an invalid configuration; `key` names the offending setting. */
export class ConfigError extends Error {
  constructor(public readonly key: string, message: string) {
    super(`config: ${key}: ${message}`)
  }
}

/** Flags as parsed by main.ts (all optional strings or booleans). */
export interface ConfigFlags {
  host?: string
  port?: string
  'data-dir'?: string
  config?: string
  demo?: boolean
}

type EnvKind = 'string' | 'int' | 'bool' | 'list'

/** Env name → config key (a dotted path for nested sections) → how the text is read. */
const ENV_KEYS: Array<[string, string, EnvKind]> = [
  ['BATCHROUTER_HOST', 'host', 'string'],
  ['BATCHROUTER_PORT', 'port', 'int'],
  ['BATCHROUTER_DATA_DIR', 'dataDir', 'string'],
  ['BATCHROUTER_DEMO', 'demo', 'bool'],
  ['BATCHROUTER_LOG_LEVEL', 'logLevel', 'string'],
  ['BATCHROUTER_TICK_MS', 'tickMs', 'int'],
  ['BATCHROUTER_JOBS_THREAD', 'jobs.thread', 'string'],
  ['BATCHROUTER_PUBLIC_URL', 'publicUrl', 'string'],
  ['BATCHROUTER_TRUST_PROXY', 'trustProxy', 'bool'],
  ['BATCHROUTER_JSON_BODY_BYTES', 'limits.jsonBodyBytes', 'int'],
  ['BATCHROUTER_RATE_LIMIT_WINDOW_SECONDS', 'rateLimits.windowSeconds', 'int'],
  ['BATCHROUTER_RATE_LIMIT_PER_KEY', 'rateLimits.perKey', 'int'],
  ['BATCHROUTER_RATE_LIMIT_PER_ORG', 'rateLimits.perOrg', 'int'],
  ['BATCHROUTER_RATE_LIMIT_FAILED_AUTH', 'rateLimits.failedAuthPerAddress', 'int'],
  ['BATCHROUTER_MAX_ACTIVE_BATCHES', 'rateLimits.activeBatchesPerOrg', 'int'],
  ['BATCHROUTER_SIGNING_SECRET', 'signingSecret', 'string'],
  ['BATCHROUTER_FLEET_HEARTBEAT_SECONDS', 'fleet.heartbeatSeconds', 'int'],
  ['BATCHROUTER_FLEET_LEASE_SECONDS', 'fleet.leaseSeconds', 'int'],
  ['BATCHROUTER_FLEET_ITEMS_PER_SLOT', 'fleet.itemsPerSlot', 'int'],
  ['BATCHROUTER_REGISTRATION', 'registration', 'string'],
  ['BATCHROUTER_STARTING_CREDIT', 'startingCredit', 'string'],
  ['BATCHROUTER_WEBHOOK_ALLOW_HOSTS', 'webhooks.allowHosts', 'list'],
  ['BATCHROUTER_WEBHOOK_ALLOW_HTTP', 'webhooks.allowHttp', 'bool'],
  ['BATCHROUTER_METRICS_REQUIRE_ADMIN_KEY', 'metrics.requireAdminKey', 'bool'],
  ['BATCHROUTER_CIRCUIT_FAILURE_THRESHOLD', 'circuit.failureThreshold', 'int'],
  ['BATCHROUTER_CIRCUIT_COOLDOWN_SECONDS', 'circuit.cooldownSeconds', 'int'],
  ['BATCHROUTER_PROVIDER_JOB_POLL_MIN_MS', 'providerJobs.pollMinMs', 'int'],
  ['BATCHROUTER_PROVIDER_JOB_POLL_MAX_MS', 'providerJobs.pollMaxMs', 'int'],
  ['BATCHROUTER_SLA_STANDARD_MULTIPLIER_BPS', 'fees.slaMultiplierBps.standard', 'int'],
  ['BATCHROUTER_SLA_FLEX_MULTIPLIER_BPS', 'fees.slaMultiplierBps.flex', 'int'],
  ['BATCHROUTER_SLA_PRIORITY_MULTIPLIER_BPS', 'fees.slaMultiplierBps.priority', 'int'],
]

/** Builds the validated, frozen config from flags, env and the optional config file. */
export function loadConfig(flags: ConfigFlags = {}, env: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, unknown> = {}
  const file = flags.config ?? env.BATCHROUTER_CONFIG
  if (file) Object.assign(raw, readConfigFile(file), { configPath: resolve(file) })
  for (const [name, key, kind] of ENV_KEYS) {
    const value = env[name]
    if (value !== undefined && value !== '') setPath(raw, key, coerce(name, value, kind))
  }
  if (flags.host !== undefined) raw.host = flags.host
  if (flags.port !== undefined) raw.port = coerce('--port', flags.port, 'int')
  if (flags['data-dir'] !== undefined) raw.dataDir = flags['data-dir']
  if (flags.demo) raw.demo = true
  if (raw.demo === true && raw.startingCredit === undefined) raw.startingCredit = '25.00'
  // Anyone who can reach the port could mint orgs: only the local demo is open unless configured.
  if (raw.demo === true && raw.registration === undefined) raw.registration = 'open'
  return validateConfig(raw)
}

/** Applies defaults and validates; throws ConfigError naming the first bad key. */
export function validateConfig(raw: Record<string, unknown>): Config {
  const withDefaults = Value.Default(ConfigSchema, structuredClone(raw))
  const unknownKey = Object.keys(raw).find((k) => !(k in ConfigSchema.properties))
  if (unknownKey) throw new ConfigError(unknownKey, 'unknown setting')
  const first = Value.Errors(ConfigSchema, withDefaults).First()
  if (first) throw new ConfigError(first.path.replace(/^\//, '').replaceAll('/', '.') || '(root)', first.message)
  const config = withDefaults as Config
  if (config.providerJobs.pollMinMs > config.providerJobs.pollMaxMs) throw new ConfigError('providerJobs.pollMinMs', `must not exceed providerJobs.pollMaxMs (${config.providerJobs.pollMaxMs})`)
  for (const entry of config.webhooks.allowHosts) {
    try {
      assertAllowHostEntry(entry)
    } catch (err) {
      throw new ConfigError('webhooks.allowHosts', (err as Error).message)
    }
  }
  return deepFreeze(config)
}

/**
 * Re-reads only the `catalog` section of the config file at `path` (defaults applied, validated
 * like at start); undefined when the file has none. Throws ConfigError naming the bad key.
 */
export function readCatalogSection(path: string): CatalogOverrides | undefined {
  const section = readConfigFile(path).catalog
  if (section === undefined) return undefined
  const withDefaults = Value.Default(CatalogOverrides, structuredClone(section))
  const first = Value.Errors(CatalogOverrides, withDefaults).First()
  if (first) throw new ConfigError(`catalog${first.path.replaceAll('/', '.')}`, first.message)
  return withDefaults as CatalogOverrides
}

/** A config file (JSON, or TOML by extension) as an object; ConfigError when unreadable or malformed. */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    throw new ConfigError('config', `cannot read config file ${path}`)
  }
  try {
    const parsed = path.endsWith('.toml') ? Bun.TOML.parse(text) : JSON.parse(text)
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object')
    return parsed as Record<string, unknown>
  } catch (err) {
    throw new ConfigError('config', `config file ${path} is not valid ${path.endsWith('.toml') ? 'TOML' : 'JSON'}: ${(err as Error).message}`)
  }
}

/** Sets `a.b` in `raw`, creating (or copying) the nested object so a config-file section is kept. */
function setPath(raw: Record<string, unknown>, key: string, value: unknown): void {
  const [head, ...rest] = key.split('.') as [string, ...string[]]
  if (rest.length === 0) {
    raw[head] = value
    return
  }
  const inner = raw[head]
  const section = inner && typeof inner === 'object' && !Array.isArray(inner) ? { ...(inner as Record<string, unknown>) } : {}
  setPath(section, rest.join('.'), value)
  raw[head] = section
}

function coerce(name: string, value: string, kind: EnvKind): unknown {
  if (kind === 'string') return value
  if (kind === 'list') return value.split(',').map((v) => v.trim()).filter((v) => v !== '')
  if (kind === 'bool') {
    if (['1', 'true', 'yes'].includes(value)) return true
    if (['0', 'false', 'no'].includes(value)) return false
    throw new ConfigError(name, `expected true/false, got "${value}"`)
  }
  if (!/^\d+$/.test(value)) throw new ConfigError(name, `expected a whole number, got "${value}"`)
  return Number(value)
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner)
    Object.freeze(value)
  }
  return value
}
