/**
 * Keeps the layout rules of design §2 and the file-size cap of style.md honest. Every violation
 * is reported as `src/file.ts:line — rule`, so a failure says exactly what to move.
 */
import { describe, expect, it } from 'bun:test'
import { Glob } from 'bun'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'

const ROOT = join(import.meta.dir, '..')
const SRC = join(ROOT, 'src')
const HARD_CAP_LINES = 400

/**
 * Not hand-written, so not held to the size cap: the migrations list generated from drizzle/.
 * (The default catalog is data too, but at one line per model or offering it fits the cap.)
 */
const SIZE_EXEMPT = new Set(['src/db/embedded-migrations.ts'])

/**
 * Files a feature may import from another feature besides its `index.ts`: `table.ts`, because
 * drizzle tables are the shared schema (db/schema.ts re-exports them and joins cross features),
 * and the catalog's TypeBox models, which are the shared vocabulary of models and offerings.
 */
const CROSS_FEATURE_FILES = [/^src\/features\/[^/]+\/index$/, /^src\/features\/[^/]+\/table$/, /^src\/features\/catalog\/models$/]

interface Import {
  /** The specifier as written. */
  spec: string
  /** For relative specifiers: the target relative to the project root, without extension. */
  target: string | null
  line: number
}

const STATIC_IMPORT = /^[ \t]*(?:import|export)\s+(?:type\s+)?(?:[\w$]+\s*,\s*)?(?:\*\s*(?:as\s+[\w$]+)?|\{[^}]*\}|[\w$]+)\s*from\s*['"]([^'"]+)['"]/gm
const SIDE_EFFECT_IMPORT = /^[ \t]*import\s*['"]([^'"]+)['"]/gm
const DYNAMIC_IMPORT = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g

/** Every import of a source file with its line number; relative targets are resolved to project paths. */
function importsOf(file: string, text: string): Import[] {
  const found: Import[] = []
  for (const re of [STATIC_IMPORT, SIDE_EFFECT_IMPORT, DYNAMIC_IMPORT]) {
    for (const m of text.matchAll(re)) {
      const spec = m[1]!
      const specAt = m.index! + m[0].lastIndexOf(spec)
      const line = text.slice(0, specAt).split('\n').length
      found.push({ spec, target: spec.startsWith('.') ? resolveTarget(file, spec) : null, line })
    }
  }
  return found
}

/** `../catalog` → `src/features/catalog/index`; `./money.ts` → `src/lib/money`. */
function resolveTarget(file: string, spec: string): string {
  const absolute = normalize(join(dirname(file), spec))
  const isDir = existsSync(absolute) && statSync(absolute).isDirectory()
  return relative(ROOT, isDir ? join(absolute, 'index') : absolute).replace(/\.(ts|tsx|js|json)$/, '')
}

function featureOf(path: string): string | null {
  return /^src\/features\/([^/]+)\//.exec(path)?.[1] ?? null
}

/** The rule an import breaks, or null. `from` and `to` are project-relative paths without extension. */
function ruleBroken(from: string, imp: Import): string | null {
  const to = imp.target
  if (from.startsWith('src/lib/')) {
    if (to === null) return null
    return to.startsWith('src/lib/') ? null : `src/lib imports nothing of the app (imports '${imp.spec}')`
  }
  if (to === null) return null
  if (from.startsWith('src/providers/') && to.startsWith('src/features/')) return `src/providers never imports src/features (imports '${imp.spec}')`
  const fromFeature = featureOf(from)
  if (fromFeature === null) return null
  const toFeature = featureOf(to)
  if (toFeature !== null && toFeature !== fromFeature && !CROSS_FEATURE_FILES.some((re) => re.test(to))) {
    return `a feature uses another feature only through its index.ts (or table.ts, catalog/models.ts); '${imp.spec}' reaches into features/${toFeature}`
  }
  if (to.startsWith('src/jobs/')) return `features never import src/jobs (imports '${imp.spec}')`
  if (to.startsWith('src/http/')) return `features never import src/http; errors live in src/lib (imports '${imp.spec}')`
  return null
}

function sourceFiles(): string[] {
  return [...new Glob('**/*.{ts,tsx}').scanSync({ cwd: SRC })].map((f) => `src/${f}`).sort()
}

describe('architecture', () => {
  const files = sourceFiles()

  it('finds the source tree', () => {
    expect(files).toContain('src/app.ts')
    expect(files.length).toBeGreaterThan(20)
  })

  it('keeps the import rules of design §2', () => {
    const violations: string[] = []
    for (const file of files) {
      const text = readFileSync(join(ROOT, file), 'utf8')
      const from = file.replace(/\.(ts|tsx)$/, '')
      for (const imp of importsOf(join(ROOT, file), text)) {
        const broken = ruleBroken(from, imp)
        if (broken) violations.push(`${file}:${imp.line} — ${broken}`)
      }
    }
    expect(violations).toEqual([])
  })

  it(`keeps hand-written source files at or under ${HARD_CAP_LINES} lines`, () => {
    const violations: string[] = []
    for (const file of files) {
      if (SIZE_EXEMPT.has(file)) continue
      const lines = readFileSync(join(ROOT, file), 'utf8').replace(/\n$/, '').split('\n').length
      if (lines > HARD_CAP_LINES) violations.push(`${file}:${HARD_CAP_LINES + 1} — ${lines} lines, over the hard cap of ${HARD_CAP_LINES}; split it`)
    }
    expect(violations).toEqual([])
  })
})

describe('architecture rule checker', () => {
  const check = (from: string, spec: string) => {
    const file = join(ROOT, `${from}.ts`)
    const [imp] = importsOf(file, `import { x } from '${spec}'\n`)
    return ruleBroken(from, imp!)
  }
  const scenarios: Array<[string, string, boolean]> = [
    ['src/lib/money', './ids', true],
    ['src/lib/money', 'node:crypto', true],
    ['src/lib/money', '../deps', false],
    ['src/lib/money', '../features/catalog/models', false],
    ['src/providers/openai-batch/adapter', '../../lib/money', true],
    ['src/providers/openai-batch/adapter', '../../features/catalog', false],
    ['src/features/quotes/service', '../catalog', true],
    ['src/features/quotes/service', '../catalog/index', true],
    ['src/features/quotes/service', '../catalog/models', true],
    ['src/features/quotes/service', '../batches/table', true],
    ['src/features/quotes/service', '../catalog/service', false],
    ['src/features/quotes/service', './table', true],
    ['src/features/quotes/service', '../../lib/errors', true],
    ['src/features/quotes/service', '../../http/auth', false],
    ['src/features/quotes/service', '../api-keys/index', true],
    ['src/features/quotes/service', '../../http/server', false],
    ['src/features/quotes/service', '../../jobs/scheduler', false],
    ['src/http/routes', '../features/catalog/routes', true],
    ['src/jobs/dispatch-lanes', '../features/batches/service', true],
  ]
  for (const [from, spec, allowed] of scenarios) {
    it(`${allowed ? 'allows' : 'refuses'} ${from} → '${spec}'`, () => expect(check(from, spec) === null).toBe(allowed))
  }

  it('finds multi-line, type-only, side-effect and dynamic imports with their lines', () => {
    const text = "import {\n  a,\n  b,\n} from './one'\nimport type { C } from \"./two\"\nimport './three'\nconst x = await import('./four')\n"
    expect(importsOf(join(SRC, 'lib/x.ts'), text).map((i) => [i.spec, i.line])).toEqual([
      ['./one', 4],
      ['./two', 5],
      ['./three', 6],
      ['./four', 7],
    ])
  })
})
