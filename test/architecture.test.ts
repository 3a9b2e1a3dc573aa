/**
 * Keeps the layout rules of design §2 and the size caps of style.md honest, with no exception
 * lists. Every violation is reported as `src/file.ts:line — rule`, so a failure says exactly what
 * to move. The analysis itself (imports parsed with the TypeScript compiler, layers, cycles) is
 * scripts/arch/analyze.ts, which `bun scripts/arch-report.ts` prints as figures.
 */
import { describe, expect, it } from 'bun:test'
import { join } from 'node:path'
import { analyzeModule, analyzeTree, bothWayPairs, cyclePath, featureEdges, findCycles, graphOf, layerOf, layoutViolations, ROOT, rowFieldCasts, ruleBroken } from '../scripts/arch/analyze'

const HARD_CAP_LINES = 400
/** Longest function, in lines (style.md: rarely over 40; never over this). */
const FUNCTION_CAP_LINES = 80

/**
 * Not hand-written, so not held to the size cap: the migrations list generated from drizzle/.
 * (The default catalog is data too, but at one line per model or offering it fits the cap.)
 */
const SIZE_EXEMPT = new Set(['src/db/embedded-migrations.ts'])

describe('architecture', () => {
  const modules = analyzeTree()

  it('finds the source tree', () => {
    expect(modules.map((m) => m.file)).toContain('src/app.ts')
    expect(modules.length).toBeGreaterThan(20)
  })

  it('keeps the import rules of design §2: layers point down, features only through index.ts', () => {
    expect(layoutViolations(modules)).toEqual([])
  })

  it('has no import cycle, type-only imports included', () => {
    const graph = graphOf(modules, { includeTypeOnly: true })
    expect(findCycles(graph).map((c) => cyclePath(c, graph))).toEqual([])
  })

  it('has no two features importing each other', () => {
    expect(bothWayPairs(featureEdges(modules))).toEqual([])
  })

  it(`keeps hand-written source files at or under ${HARD_CAP_LINES} lines`, () => {
    const violations = modules
      .filter((m) => !SIZE_EXEMPT.has(m.file) && m.lines > HARD_CAP_LINES)
      .map((m) => `${m.file}:${HARD_CAP_LINES + 1} — ${m.lines} lines, over the hard cap of ${HARD_CAP_LINES}; split it`)
    expect(violations).toEqual([])
  })

  it(`keeps every function at or under ${FUNCTION_CAP_LINES} lines`, () => {
    const violations = modules.flatMap((m) => m.functions.filter((f) => f.lines > FUNCTION_CAP_LINES).map((f) => `${m.file}:${f.line} — ${f.name} is ${f.lines} lines, over ${FUNCTION_CAP_LINES}; split it`))
    expect(violations).toEqual([])
  })

  it('casts no row field by hand: typed columns carry their types ($type)', () => {
    expect(rowFieldCasts(modules).map((c) => `${c.file}:${c.line} — ${c.text}`)).toEqual([])
  })
})

describe('architecture rule checker', () => {
  const check = (from: string, spec: string) => {
    const [imp] = analyzeModule(`${from}.ts`, `import { x } from '${spec}'\n`).imports
    return ruleBroken(from, imp!)
  }
  const scenarios: Array<[string, string, boolean]> = [
    ['src/lib/money', './ids', true],
    ['src/lib/money', 'node:crypto', true],
    ['src/lib/money', '../deps', false],
    ['src/lib/money', '../features/catalog/index', false],
    ['src/db/client', '../lib/log', true],
    ['src/db/client', '../features/batches/index', false],
    ['src/deps', './catalog-schema', true],
    ['src/deps', './features/metrics/index', false],
    ['src/config', './features/catalog/index', false],
    ['src/providers/openai-batch/adapter', '../../lib/money', true],
    ['src/providers/openai-batch/adapter', '../../deps', true],
    ['src/providers/openai-batch/adapter', '../../features/catalog', false],
    ['src/sim/openai-batch', '../providers/openai-batch/index', false],
    ['src/features/quotes/service', '../catalog', true],
    ['src/features/quotes/service', '../catalog/index', true],
    ['src/features/quotes/service', '../catalog/models', false],
    ['src/features/quotes/service', '../batches/table', false],
    ['src/features/quotes/service', '../catalog/service', false],
    ['src/features/quotes/service', './table', true],
    ['src/features/quotes/service', '../../lib/errors', true],
    ['src/features/quotes/service', '../../catalog-schema', true],
    ['src/features/quotes/service', '../../http/server', false],
    ['src/features/quotes/service', '../api-keys/index', true],
    ['src/features/quotes/service', '../../jobs/scheduler', false],
    ['src/features/quotes/service', '../../app', false],
    ['src/jobs/dispatch-items', '../features/dispatch/index', true],
    ['src/jobs/dispatch-items', '../features/dispatch/request-runner', false],
    ['src/jobs/dispatch-items', '../http/routes', false],
    ['src/http/routes', '../features/catalog/index', true],
    ['src/http/routes', '../features/catalog/routes', false],
    ['src/http/routes', '../jobs/registry', true],
    ['src/app', './cli/serve', false],
    ['src/cli/serve', '../app', true],
  ]
  for (const [from, spec, allowed] of scenarios) {
    it(`${allowed ? 'allows' : 'refuses'} ${from} → '${spec}'`, () => expect(check(from, spec) === null).toBe(allowed))
  }

  it('places every file in a layer, from lib at the bottom to main at the top', () => {
    expect(['src/lib/money', 'src/db/tx', 'src/deps', 'src/providers/registry', 'src/sim/server', 'src/features/batches/create', 'src/jobs/scheduler', 'src/http/server', 'src/app', 'src/cli/serve', 'src/main'].map(layerOf)).toEqual(['lib', 'db', 'core', 'providers', 'sim', 'features', 'jobs', 'http', 'app', 'cli', 'main'])
  })

  it('finds multi-line, type-only, side-effect, re-export, dynamic and import-type imports with their lines', () => {
    const text = "import {\n  a,\n  b,\n} from './one'\nimport type { C } from \"./two\"\nimport './three'\nconst x = await import('./four')\nexport { d } from './five'\ntype E = import('./six').E\nimport { type F } from './seven'\n"
    expect(analyzeModule('src/lib/x.ts', text).imports.map((i) => [i.spec, i.line, i.typeOnly])).toEqual([
      ['./one', 4, false],
      ['./two', 5, true],
      ['./three', 6, false],
      ['./four', 7, false],
      ['./five', 8, false],
      ['./six', 9, true],
      ['./seven', 10, true],
    ])
  })

  it('finds a cycle through type-only imports and names its path', () => {
    const modules = [
      analyzeModule('src/features/a/index.ts', "export { x } from './x'\n"),
      analyzeModule('src/features/a/x.ts', "import type { Y } from './y'\nexport const x = 1\n"),
      analyzeModule('src/features/a/y.ts', "import { x } from './x'\nexport type Y = typeof x\n"),
    ]
    const graph = graphOf(modules, { includeTypeOnly: true })
    expect(findCycles(graph).map((c) => cyclePath(c, graph))).toEqual(['src/features/a/x → src/features/a/y → src/features/a/x'])
    expect(findCycles(graphOf(modules, { includeTypeOnly: false }))).toEqual([])
  })

  it('finds features that import each other both ways', () => {
    const modules = [
      analyzeModule('src/features/a/service.ts', "import { b } from '../b/index'\n"),
      analyzeModule('src/features/b/service.ts', "import type { A } from '../a/index'\n"),
      analyzeModule('src/features/c/service.ts', "import { b } from '../b/index'\n"),
    ]
    expect(bothWayPairs(featureEdges(modules))).toEqual(['a ↔ b'])
  })

  it('measures functions (arrows and methods included) and finds casts of column fields', () => {
    const m = analyzeModule('src/features/a/x.ts', "const t = sqliteTable('t', { status: text('status') })\nexport function f() {\n  return 1\n}\nclass C {\n  m() {\n    const g = () => {\n      return row.status as 'x'\n    }\n  }\n}\nconst k = other.kind as const\n")
    expect(m.functions.map((f) => [f.name, f.line, f.lines])).toEqual([['f', 2, 3], ['m', 6, 5], ['g', 7, 3]])
    expect(rowFieldCasts([m]).map((c) => [c.line, c.text])).toEqual([[8, "row.status as 'x'"]])
  })

  it('resolves targets from the project root', () => {
    expect(analyzeModule('src/features/quotes/service.ts', "import { c } from '../catalog'\n").imports[0]!.target).toBe('src/features/catalog/index')
    expect(join(ROOT, 'src')).toEndWith('/src')
  })
})
