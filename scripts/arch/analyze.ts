/**
 * The source-tree analysis behind `scripts/arch-report.ts` and `test/architecture.test.ts`: every
 * import of every file under src/ (parsed with the TypeScript compiler, type-only ones marked),
 * the layer of each file, import cycles, feature pairs, casts of row fields and function lengths.
 * Pure reading: it never runs the app.
 */
import ts from 'typescript'
import { Glob } from 'bun'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'

/** The project root (the directory holding src/). */
export const ROOT = join(import.meta.dir, '..', '..')

/**
 * Layers from the bottom up (design §2). An import may point to its own layer or a lower one,
 * never up. `core` is the composition contract every layer reads (config, deps, the catalog
 * schema); `sim` is the upstream simulator, a peer of the adapters that talk to it; `edge` is the
 * edge node process, a composition root like app.
 */
export const LAYERS = ['console', 'lib', 'db', 'core', 'providers', 'sim', 'features', 'jobs', 'http', 'app', 'cli', 'main'] as const
export type Layer = (typeof LAYERS)[number]

/** The layer of a project path without extension (`src/features/batches/create`). */
export function layerOf(path: string): Layer | null {
  if (!path.startsWith('src/')) return null
  const rest = path.slice(4)
  const top = rest.split('/')[0]!
  // The web console is browser code: the lowest layer, so it imports nothing of the server.
  if (top === 'console') return 'console'
  if (top === 'lib' || top === 'types' || rest === 'version') return 'lib'
  if (top === 'db') return 'db'
  if (rest === 'config' || rest === 'deps' || rest === 'catalog-schema') return 'core'
  if (top === 'providers') return 'providers'
  if (top === 'sim') return 'sim'
  if (top === 'features') return 'features'
  if (top === 'jobs') return 'jobs'
  if (top === 'http') return 'http'
  if (top === 'cli') return 'cli'
  if (rest === 'main') return 'main'
  // app.ts and its start-up helpers, and the edge node process (a composition root of its own).
  if (APP_FILES.includes(rest) || top === 'edge' || top === 'edge-node') return 'app'
  return null
}

/** The composition root and the start-up helpers only it uses. */
const APP_FILES = ['app', 'storage', 'signing-key', 'instance-lock', 'backup-schedule']

export interface Import {
  /** The specifier as written. */
  spec: string
  /** For relative specifiers: the target relative to the project root, without extension. */
  target: string | null
  line: number
  /** `import type`, `export type`, or every named binding marked `type` (erased at runtime). */
  typeOnly: boolean
}

export interface FunctionInfo {
  name: string
  line: number
  lines: number
}

export interface ModuleInfo {
  /** Project path without extension. */
  path: string
  /** Project path with extension. */
  file: string
  lines: number
  imports: Import[]
  functions: FunctionInfo[]
  /** Casts of a property read (`x.field as T`, not `as const`/`as unknown`), with the field's name. */
  casts: Array<{ line: number; field: string; text: string }>
  /** Column property names of the drizzle tables declared here (`sqliteTable('x', { id: text('id'), … })`). */
  columns: string[]
}

/** Every .ts/.tsx file under src/, sorted, as project paths with extension. */
export function sourceFiles(root = ROOT): string[] {
  return [...new Glob('**/*.{ts,tsx}').scanSync({ cwd: join(root, 'src') })].map((f) => `src/${f}`).sort()
}

/** `../catalog` → `src/features/catalog/index`; `./money.ts` → `src/lib/money`. */
export function resolveTarget(fromFile: string, spec: string, root = ROOT): string {
  const absolute = normalize(join(dirname(join(root, fromFile)), spec))
  const isDir = existsSync(absolute) && statSync(absolute).isDirectory()
  return relative(root, isDir ? join(absolute, 'index') : absolute).replace(/\.(ts|tsx|js|json)$/, '')
}

/** Parses one file: imports (static, re-exports, dynamic, `import('…')` types), functions and casts. */
export function analyzeModule(file: string, text: string, root = ROOT): ModuleInfo {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS)
  const lineOf = (pos: number) => source.getLineAndCharacterOfPosition(pos).line + 1
  const info: ModuleInfo = { path: file.replace(/\.(ts|tsx)$/, ''), file, lines: text.replace(/\n$/, '').split('\n').length, imports: [], functions: [], casts: [], columns: [] }
  const addImport = (literal: ts.Node, typeOnly: boolean) => {
    if (!ts.isStringLiteralLike(literal)) return
    const spec = literal.text
    info.imports.push({ spec, target: spec.startsWith('.') ? resolveTarget(file, spec, root) : null, line: lineOf(literal.getStart(source)), typeOnly })
  }
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) addImport(node.moduleSpecifier, isTypeOnlyImport(node))
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier) addImport(node.moduleSpecifier, node.isTypeOnly || isTypeOnlyExport(node))
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) addImport(node.moduleReference.expression, node.isTypeOnly)
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0]) addImport(node.arguments[0], false)
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) addImport(node.argument.literal, true)
    const fn = functionOf(node, source)
    if (fn) info.functions.push(fn)
    const field = ts.isAsExpression(node) ? castField(node) : null
    if (field) info.casts.push({ line: lineOf(node.getStart(source)), field, text: node.getText(source).replace(/\s+/g, ' ').slice(0, 100) })
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'sqliteTable') {
      const columns = node.arguments[1]
      if (columns && ts.isObjectLiteralExpression(columns)) for (const p of columns.properties) if (p.name && ts.isIdentifier(p.name)) info.columns.push(p.name.text)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return info
}

function isTypeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause
  if (!clause) return false // a side-effect import runs the module
  if (clause.isTypeOnly) return true
  if (clause.name) return false
  const bindings = clause.namedBindings
  if (!bindings || ts.isNamespaceImport(bindings)) return false
  return bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly)
}

function isTypeOnlyExport(node: ts.ExportDeclaration): boolean {
  const clause = node.exportClause
  return !!clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly)
}

/** A function-like node with a body, named after its declaration or the variable/property holding it. */
function functionOf(node: ts.Node, source: ts.SourceFile): FunctionInfo | null {
  if (!(ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isConstructorDeclaration(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node))) return null
  if (!node.body) return null
  const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1
  const end = source.getLineAndCharacterOfPosition(node.getEnd()).line + 1
  return { name: functionName(node), line: start, lines: end - start + 1 }
}

function functionName(node: ts.SignatureDeclaration): string {
  if (node.name && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name))) return node.name.text
  if (ts.isConstructorDeclaration(node)) return 'constructor'
  const parent = node.parent
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && ts.isIdentifier(parent.name)) return parent.name.text
  if (parent && ts.isCallExpression(parent)) {
    const callee = parent.expression
    const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : 'call'
    return `(callback of ${name})`
  }
  return '(anonymous)'
}

/** The field of `x.field as T` / `x['field'] as T` (through parentheses), or null; `as const` and `as unknown` cast nothing. */
function castField(node: ts.AsExpression): string | null {
  const type = node.type
  if (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName) && type.typeName.text === 'const') return null
  if (type.kind === ts.SyntaxKind.UnknownKeyword || type.kind === ts.SyntaxKind.AnyKeyword) return null
  let inner: ts.Expression = node.expression
  while (ts.isParenthesizedExpression(inner) || ts.isNonNullExpression(inner)) inner = inner.expression
  if (ts.isPropertyAccessExpression(inner)) return inner.name.text
  if (ts.isElementAccessExpression(inner) && ts.isStringLiteralLike(inner.argumentExpression)) return inner.argumentExpression.text
  return null
}

/**
 * Casts of row fields: `x.field as T` where `field` is a column of one of the drizzle tables. A
 * syntactic test (no type checker, so the report stays fast): a same-named property of another
 * object counts too, which only ever asks for a type guard where a cast was.
 */
export function rowFieldCasts(modules: readonly ModuleInfo[]): Array<{ file: string; line: number; text: string }> {
  const columns = new Set(modules.flatMap((m) => m.columns))
  return modules.flatMap((m) => m.casts.filter((c) => columns.has(c.field)).map((c) => ({ file: m.file, line: c.line, text: c.text })))
}

/** Every module under src/, analyzed. */
export function analyzeTree(root = ROOT): ModuleInfo[] {
  return sourceFiles(root).map((file) => analyzeModule(file, readFileSync(join(root, file), 'utf8'), root))
}

/** The feature folder of a path (`src/features/batches/x` → `batches`), or null. */
export function featureOf(path: string): string | null {
  return /^src\/features\/([^/]+)\//.exec(path)?.[1] ?? null
}

/** A module graph keyed by project path, edges to known modules only. */
export function graphOf(modules: readonly ModuleInfo[], opts: { includeTypeOnly: boolean }): Map<string, string[]> {
  const known = new Set(modules.map((m) => m.path))
  return new Map(modules.map((m) => [m.path, [...new Set(m.imports.filter((i) => i.target !== null && known.has(i.target) && (opts.includeTypeOnly || !i.typeOnly)).map((i) => i.target!))]]))
}

/** Strongly connected components with more than one module (or a self-import): the import cycles. */
export function findCycles(graph: Map<string, string[]>): string[][] {
  let index = 0
  const indices = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const cycles: string[][] = []
  const strongConnect = (v: string) => {
    indices.set(v, index)
    low.set(v, index++)
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        strongConnect(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!))
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = []
      let w: string
      do {
        w = stack.pop()!
        onStack.delete(w)
        component.push(w)
      } while (w !== v)
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort())
    }
  }
  for (const v of [...graph.keys()].sort()) if (!indices.has(v)) strongConnect(v)
  return cycles
}

/** One path through a cycle, for messages: `a → b → c → a`. */
export function cyclePath(component: readonly string[], graph: Map<string, string[]>): string {
  const members = new Set(component)
  const start = component[0]!
  const seen = new Map<string, string | null>([[start, null]])
  const queue = [start]
  while (queue.length > 0) {
    const v = queue.shift()!
    for (const w of graph.get(v) ?? []) {
      if (!members.has(w)) continue
      if (w === start) {
        const path = [start]
        for (let at: string | null = v; at !== null && at !== start; at = seen.get(at) ?? null) path.splice(1, 0, at)
        return [...path, start].join(' → ')
      }
      if (!seen.has(w)) {
        seen.set(w, v)
        queue.push(w)
      }
    }
  }
  return component.join(' ↔ ')
}

/** Feature → the features it imports (any file, any kind of import). */
export function featureEdges(modules: readonly ModuleInfo[]): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>()
  for (const m of modules) {
    const from = featureOf(m.path)
    if (!from) continue
    for (const imp of m.imports) {
      const to = imp.target ? featureOf(imp.target) : null
      if (!to || to === from) continue
      if (!edges.has(from)) edges.set(from, new Set())
      edges.get(from)!.add(to)
    }
  }
  return edges
}

/** Pairs of features that import each other (both ways), as `a ↔ b` with a < b. */
export function bothWayPairs(edges: Map<string, Set<string>>): string[] {
  const pairs: string[] = []
  for (const [a, targets] of edges) for (const b of targets) if (a < b && edges.get(b)?.has(a)) pairs.push(`${a} ↔ ${b}`)
  return pairs.sort()
}

/**
 * The layout rule an import breaks, or null (design §2): lib imports nothing of the app; layers
 * point down; outside a feature, only its index.ts is imported; config.ts and deps.ts import no
 * feature at all.
 */
export function ruleBroken(from: string, imp: Import): string | null {
  const to = imp.target
  if (to === null) return null
  if (from.startsWith('src/lib/') && !to.startsWith('src/lib/')) return `src/lib imports nothing of the app (imports '${imp.spec}')`
  const fromLayer = layerOf(from)
  const toLayer = layerOf(to)
  if (fromLayer && toLayer && LAYERS.indexOf(toLayer) > LAYERS.indexOf(fromLayer)) return `layers point down: ${fromLayer} may not import ${toLayer} (imports '${imp.spec}')`
  if (fromLayer === 'sim' && toLayer === 'providers') return `the simulator is independent of the adapters that test against it (imports '${imp.spec}')`
  const toFeature = featureOf(to)
  if (toFeature !== null && toFeature !== featureOf(from) && to !== `src/features/${toFeature}/index`) {
    return `features are used only through their index.ts; '${imp.spec}' reaches into features/${toFeature}`
  }
  return null
}

/** The tree's violations of `ruleBroken` (and files outside every layer), as `src/file.ts:line — rule`. */
export function layoutViolations(modules: readonly ModuleInfo[]): string[] {
  const unplaced = modules.filter((m) => layerOf(m.path) === null).map((m) => `${m.file}:1 — belongs to no layer (scripts/arch/analyze.ts LAYERS); place it`)
  return [...unplaced, ...modules.flatMap((m) => m.imports.flatMap((imp) => {
    const broken = ruleBroken(m.path, imp)
    return broken ? [`${m.file}:${imp.line} — ${broken}`] : []
  }))]
}
