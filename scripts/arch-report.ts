#!/usr/bin/env bun
/**
 * `bun scripts/arch-report.ts` — the architecture in numbers: import cycles (type-only imports
 * included), upward imports, imports past a feature's index.ts, features importing each other
 * both ways, casts of row fields, the largest files and functions, and how many source files a
 * native batch touches from create to results. Ends with a short summary block (targets: 0 / 0 /
 * 0 / none / 0 / no function over 80 lines / ≤ 45 files). `--no-probe` skips the coverage runs.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { analyzeTree, bothWayPairs, cyclePath, featureEdges, findCycles, graphOf, layoutViolations, ROOT, rowFieldCasts } from './arch/analyze'

const FUNCTION_LIMIT = 80
const FILES_TARGET = 45
const started = performance.now()
const modules = analyzeTree()

const section = (title: string) => console.log(`\n== ${title}`)
const list = (items: readonly string[], max = 20) => {
  for (const item of items.slice(0, max)) console.log(`  ${item}`)
  if (items.length > max) console.log(`  … and ${items.length - max} more`)
}

const graph = graphOf(modules, { includeTypeOnly: true })
const cycles = findCycles(graph)
section(`Import cycles (type-only imports included): ${cycles.length}`)
list(cycles.map((c) => cyclePath(c, graph)))

const violations = layoutViolations(modules)
const upward = violations.filter((v) => v.includes('layers point down') || v.includes('src/lib imports') || v.includes('simulator is independent') || v.includes('belongs to no layer'))
const pastIndex = violations.filter((v) => v.includes('only through their index.ts'))
section(`Upward imports (and files outside every layer): ${upward.length}`)
list(upward)
section(`Imports past another feature's index.ts: ${pastIndex.length}`)
list(pastIndex)

const pairs = bothWayPairs(featureEdges(modules))
section(`Features importing each other both ways: ${pairs.length}`)
list(pairs)

const casts = rowFieldCasts(modules).map((c) => `${c.file}:${c.line}  ${c.text}`)
section(`Casts of row fields (\`x.column as T\`, column = a drizzle table column name): ${casts.length}`)
list(casts, 30)

section('Largest files (lines)')
list([...modules].sort((a, b) => b.lines - a.lines).slice(0, 10).map((m) => `${String(m.lines).padStart(4)}  ${m.file}`))
const functions = modules.flatMap((m) => m.functions.map((f) => ({ ...f, file: m.file })))
const longFunctions = functions.filter((f) => f.lines > FUNCTION_LIMIT)
section(`Largest functions (lines); over ${FUNCTION_LIMIT}: ${longFunctions.length}`)
list([...functions].sort((a, b) => b.lines - a.lines).slice(0, 10).map((f) => `${String(f.lines).padStart(4)}  ${f.file}:${f.line} ${f.name}`))

const METHOD = 'lcov of two `bun test --coverage` runs of scripts/arch/native-batch.probe.ts (demo app, fake clock, jobs run by hand): a file counts when any of its lines ran more often in the run that creates the quickstart native batch and reads its results than in the run that only starts the app and reads an account; src/sim (the upstream) excluded.'
let touched: string[] | null = null
if (!process.argv.includes('--no-probe')) {
  touched = await filesTouchedByNativeBatch()
  section(`Files a native batch touches from create to results: ${touched.length}`)
  console.log(`  method: ${METHOD}`)
  list(folderSummary(touched), 40)
}

const seconds = ((performance.now() - started) / 1000).toFixed(1)
const mark = (ok: boolean) => (ok ? 'ok ' : 'OFF')
console.log('\n== Summary (targets in brackets)')
console.log(`  ${mark(cycles.length === 0)} import cycles (type-only included): ${cycles.length} [0]`)
console.log(`  ${mark(upward.length === 0)} upward imports: ${upward.length} [0]`)
console.log(`  ${mark(pastIndex.length === 0)} imports past a feature's index.ts: ${pastIndex.length} [0]`)
console.log(`  ${mark(pairs.length === 0)} features importing each other both ways: ${pairs.length}${pairs.length > 0 ? ` (${pairs.join(', ')})` : ''} [0]`)
console.log(`  ${mark(casts.length === 0)} casts of row fields: ${casts.length} [0]`)
console.log(`  ${mark(longFunctions.length === 0)} functions over ${FUNCTION_LIMIT} lines: ${longFunctions.length} (largest ${Math.max(...functions.map((f) => f.lines))}) [0]`)
console.log(`  ${touched === null ? '-- ' : mark(touched.length <= FILES_TARGET)} files a native batch touches, create → results: ${touched === null ? 'not measured (--no-probe)' : touched.length} [≤ ${FILES_TARGET}]`)
console.log(`      measured by: ${touched === null ? '-' : 'line hits (bun coverage) of a batch run minus an idle run; src/ without src/sim'}`)
console.log(`  source: ${modules.length} files, ${modules.reduce((n, m) => n + m.lines, 0)} lines; report took ${seconds} s`)

/** Runs the probe twice under coverage and returns the src/ files whose line hits grew with the batch. */
async function filesTouchedByNativeBatch(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'arch-probe-'))
  try {
    const [idle, batch] = await Promise.all(['idle', 'batch'].map(async (mode) => {
      const out = join(dir, mode)
      const proc = Bun.spawn([process.execPath, 'test', '--coverage', '--coverage-reporter=lcov', `--coverage-dir=${out}`, '--timeout', '60000', './scripts/arch/native-batch.probe.ts'], { cwd: ROOT, env: { ...process.env, ARCH_PROBE: mode }, stdout: 'pipe', stderr: 'pipe' })
      const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()])
      if (code !== 0) throw new Error(`native batch probe (${mode}) failed:\n${stderr.slice(-2000)}`)
      return lineHits(readFileSync(join(out, 'lcov.info'), 'utf8'))
    }))
    const files: string[] = []
    for (const [file, hits] of batch!) {
      if (!file.startsWith('src/') || file.startsWith('src/sim/')) continue
      const before = idle!.get(file) ?? new Map<number, number>()
      if ([...hits].some(([line, n]) => n > (before.get(line) ?? 0))) files.push(file)
    }
    return files.sort()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** lcov text → file → line → hits. */
function lineHits(lcov: string): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>()
  let current: Map<number, number> | undefined
  for (const line of lcov.split('\n')) {
    if (line.startsWith('SF:')) out.set(line.slice(3), (current = new Map()))
    else if (line.startsWith('DA:') && current) {
      const [n, hits] = line.slice(3).split(',').map(Number)
      current.set(n!, hits!)
    }
  }
  return out
}

/** `src/features/batches (7): create, present, …` per folder. */
function folderSummary(files: string[]): string[] {
  const byFolder = Map.groupBy(files, (f) => f.slice(0, f.lastIndexOf('/')))
  return [...byFolder].map(([folder, list]) => `${folder} (${list.length}): ${list.map((f) => f.slice(folder.length + 1).replace(/\.tsx?$/, '')).join(', ')}`)
}
