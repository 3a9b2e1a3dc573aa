/**
 * fast-check arbitraries built from the app's own OpenAPI document: for every operation, request
 * bodies and query strings that follow its schemas, examples mutated leaf by leaf, and hostile
 * values everywhere in between — deep nesting, numbers too large for a double, wrong types, odd
 * unicode, NULs, empty and huge strings. Raw JSON that no JS value serializes to (`1e999`, a
 * 20,000-deep array) rides in as marker strings replaced in the body text.
 */
import fc from 'fast-check'

export interface FuzzOperation {
  method: string
  /** OpenAPI path with `{param}` placeholders. */
  path: string
  pathParams: string[]
  query: { name: string; schema: JsonSchema }[]
  /** The JSON request body schema and its examples, when the operation takes JSON. */
  body: { schema: JsonSchema; examples: unknown[] } | null
  public: boolean
}

export type JsonSchema = Record<string, any>

/** Every operation of the document (uploads included: their JSONL/multipart bodies are sent as JSON text). */
export function operationsOf(doc: { paths: Record<string, Record<string, any>> }): FuzzOperation[] {
  const out: FuzzOperation[] = []
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries<any>(ops)) {
      const params: any[] = op.parameters ?? []
      const json = op.requestBody?.content?.['application/json'] ?? op.requestBody?.content?.['application/jsonl']
      out.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        body: json ? { schema: json.schema ?? {}, examples: [...(json.schema?.examples ?? []), ...(json.example !== undefined ? [json.example] : [])] } : null,
        public: Array.isArray(op.security) && op.security.length === 0,
      })
    }
  }
  return out
}

const RAW = '\u0001raw:'
/** A JSON value that serializes to the raw text `text` once `renderBody` runs. */
const raw = (text: string) => `${RAW}${text}`

/** Raw JSON texts no JS value produces: overflowing numbers and nesting past every limit. */
const RAW_SNIPPETS = [
  '1e999', '-1e999', '1e-400', '123456789012345678901234567890', '-0', '9007199254740993', '1E+308', '0.000000000000000000000000001',
  '['.repeat(20_000) + ']'.repeat(20_000), '{"a":'.repeat(70) + '1' + '}'.repeat(70), '['.repeat(65) + ']'.repeat(65), '['.repeat(64) + ']'.repeat(64),
]

/** Values that do not belong anywhere: wrong types, odd strings, extremes. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, -0.5, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 63, '', ' ', '\u0000', 'a\u0000b', '\ud800', '\udfff', '\u202e\u200b', '💥'.repeat(50), '%00', '../../etc/passwd', '<script>', 'null', 'true', '1e999', 'NaN', [], {}, [[]], { '': null }, JSON.parse('{"__proto__":{"admin":true}}'), { constructor: { prototype: 1 } }),
  fc.constantFrom(...RAW_SNIPPETS).map(raw),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer({ min: 1000, max: 300_000 }).map((n) => 'x'.repeat(n)),
  fc.double(),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map((n) => raw(n.toString())),
  fc.jsonValue({ maxDepth: 4 }),
)

/** A value following `schema` (roughly: ranges, enums, required keys), with hostile values mixed in at every level. */
export function fromSchema(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const sane = saneFromSchema(schema, depth)
  return depth > 6 ? sane : fc.oneof({ arbitrary: sane, weight: 8 }, { arbitrary: hostileValue, weight: 1 })
}

function saneFromSchema(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const)
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum)
  const variants = schema.anyOf ?? schema.oneOf
  if (Array.isArray(variants) && variants.length > 0) return fc.oneof(...variants.map((v: JsonSchema) => fromSchema(v, depth + 1)))
  const examples: unknown[] = Array.isArray(schema.examples) ? schema.examples : schema.example !== undefined ? [schema.example] : []
  const typed = byType(schema, depth)
  return examples.length > 0 ? fc.oneof(fc.constantFrom(...examples), typed) : typed
}

function byType(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  switch (schema.type) {
    case 'object': {
      const props: Record<string, JsonSchema> = schema.properties ?? {}
      const required: string[] = schema.required ?? []
      const record = fc.record(Object.fromEntries(Object.entries(props).map(([k, s]) => [k, fromSchema(s, depth + 1)])), { requiredKeys: required.filter((k) => k in props) })
      // Sometimes a key the schema does not know.
      return fc.tuple(record, fc.option(fc.tuple(fc.string({ maxLength: 12 }), hostileValue), { freq: 6 })).map(([value, extra]) => (extra ? { ...value, [extra[0]]: extra[1] } : value))
    }
    case 'array':
      return fc.array(fromSchema(schema.items ?? {}, depth + 1), { maxLength: 4 })
    case 'integer':
      return fc.integer({ min: Math.max(schema.minimum ?? -1000, -(2 ** 31)), max: Math.min(schema.maximum ?? 100_000, 2 ** 31) })
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true })
    case 'boolean':
      return fc.boolean()
    case 'null':
      return fc.constant(null)
    case 'string':
      return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 24, 64) })
    default:
      return fc.jsonValue({ maxDepth: 3 })
  }
}

/** Mutates a JSON value: a random leaf or key replaced by a hostile value, deleted, or the whole thing swapped. */
export function mutated(base: unknown): fc.Arbitrary<unknown> {
  const paths = leafPaths(base)
  if (paths.length === 0) return hostileValue
  return fc.tuple(fc.constantFrom(...paths), fc.constantFrom('replace', 'delete', 'wrap'), hostileValue).map(([path, how, value]) => {
    const copy = structuredClone(base) as any
    const parent = path.slice(0, -1).reduce((node, key) => node[key], copy)
    const key = path[path.length - 1]!
    if (how === 'delete') Array.isArray(parent) ? parent.splice(Number(key), 1) : delete parent[key]
    else parent[key] = how === 'wrap' ? [parent[key]] : value
    return copy
  })
}

function leafPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => [[...prefix, i], ...leafPaths(v, [...prefix, i])])
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...leafPaths(v, [...prefix, k])])
  return []
}

/** Whole bodies that are not JSON values at all. */
const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', ' ', '{', '}', '[', 'null', '[]', '"text"', '0', 'undefined', '{"a":}', '\ufeff{}', '{}{}', '{"a":1,}', "{'a':1}", '\u0000', '{"a":"\ud800"}'),
  fc.constantFrom(...RAW_SNIPPETS),
  fc.string({ unit: 'binary', maxLength: 200 }),
)

/** The body text of a value, with raw markers replaced by their JSON text. */
export function renderBody(value: unknown): string {
  const text = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'null'
  return text.replace(/"\\u0001raw:((?:[^"\\]|\\.)*)"/g, (_m, inner: string) => JSON.parse(`"${inner}"`))
}

/** A request body for `op`: schema-made, a mutated example, or hostile text. */
export function bodyFor(op: FuzzOperation): fc.Arbitrary<string | undefined> {
  if (!op.body) return fc.option(hostileText, { freq: 4, nil: undefined })
  const made = [fromSchema(op.body.schema).map(renderBody), ...op.body.examples.map((e) => mutated(e).map(renderBody))]
  return fc.oneof({ arbitrary: fc.oneof(...made), weight: 6 }, { arbitrary: hostileText, weight: 1 }, ...op.body.examples.map((e) => ({ arbitrary: fc.constant(renderBody(e)), weight: 1 })))
}

/** Hostile query values (as they appear after decoding). */
const hostileQueryValue = fc.oneof(
  fc.constantFrom('', '1.5', '-1', '0', '1e400', '1e2', '0x10', ' 5', 'NaN', 'Infinity', '-Infinity', '99999999999999999999', '9007199254740993', '[]', '{}', 'null', '\u0000', '%', '%00', 'a'.repeat(1000)),
  fc.string({ unit: 'binary', maxLength: 30 }),
)

/** A query string for `op`: each documented parameter absent, schema-made or hostile; sometimes repeated or bracketed. */
export function queryFor(op: FuzzOperation): fc.Arbitrary<string> {
  if (op.query.length === 0) return fc.constant('')
  const one = (q: FuzzOperation['query'][number]) =>
    // Values stay under 4 KB: a longer request line gets Bun's own bodiless 431 before the app sees it.
    fc.option(fc.tuple(fc.oneof(fromSchema(q.schema).map((v) => (typeof v === 'string' ? v : JSON.stringify(v) ?? '').slice(0, 4000)), hostileQueryValue), fc.constantFrom('plain', 'plain', 'plain', 'twice', 'brackets')), { freq: 2 }).map((pick) => {
      if (!pick) return []
      const [value, form] = pick
      const name = form === 'brackets' ? `${q.name}[]` : q.name
      // Encoded, a value may triple; the cut may split an escape (`%5`), which is hostile too.
      const pair = `${encodeURIComponent(name)}=${encodeLoose(value)}`.slice(0, 3000)
      return form === 'twice' ? [pair, pair] : [pair]
    })
  return fc.tuple(...op.query.map(one)).map((parts) => {
    const flat = parts.flat()
    // Under Bun's request-line limit (about 16 KB with the headers): past it Bun answers 431 itself.
    return flat.length ? `?${flat.join('&')}`.slice(0, 8000) : ''
  })
}

/** encodeURIComponent, tolerating lone surrogates (sent as raw percent bytes). */
function encodeLoose(value: string): string {
  try {
    return encodeURIComponent(value)
  } catch {
    return [...value].map((c) => { try { return encodeURIComponent(c) } catch { return '%ED%A0%80' } }).join('')
  }
}

/** A path parameter: a real id most of the time (so handlers run), else something hostile (percent-encoded). */
export function pathParamFor(realIds: string[]): fc.Arbitrary<string> {
  return fc.oneof({ arbitrary: fc.constantFrom(...realIds), weight: 4 }, { arbitrary: hostileQueryValue.filter((v) => v !== '').map(encodeLoose), weight: 1 })
}
