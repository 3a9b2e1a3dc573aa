/**
 * `make mutation`: a small mutation check of the paths where a quiet bug costs money, leaks data
 * or runs an item twice — money, privacy, isolation, fencing. Each mutation is a realistic one-line
 * bug applied to a throwaway copy of the working tree (never to the checkout itself: the copy is
 * made under the system temp dir with node_modules linked, and removed at the end); the tests
 * that guard that path run against it, and the mutation is "killed" when they fail. Prints one
 * line per mutation and "killed K/N"; exits 1 when a mutation survives or a baseline run fails.
 *
 *   bun scripts/mutation-check.ts            # every mutation
 *   bun scripts/mutation-check.ts fence-     # only ids starting with "fence-"
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'

interface Mutation {
  id: string
  area: 'money' | 'privacy' | 'isolation' | 'fencing'
  /** What the bug would do, in a sentence. */
  bug: string
  file: string
  from: string
  to: string
  /** Test files that must catch it. */
  tests: string[]
}

const MUTATIONS: Mutation[] = [
  {
    id: 'fence-status', area: 'fencing', bug: 'a late success completes an item that is no longer running (cancelled, expired, re-queued)',
    file: 'src/features/dispatch/outcomes.ts', from: "WHERE id = ? AND status = '${FROM}' AND attempts = ?", to: 'WHERE id = ? AND attempts = ?',
    tests: ['test/features/dispatch/outcomes.test.ts'],
  },
  {
    id: 'fence-attempt', area: 'fencing', bug: "a lapsed attempt's late answer overwrites the attempt now running",
    file: 'src/features/dispatch/outcomes.ts', from: "WHERE id = ? AND status = '${FROM}' AND attempts = ?`", to: "WHERE id = ? AND status = '${FROM}' AND attempts >= ?`",
    tests: ['test/features/dispatch/outcomes.test.ts'],
  },
  {
    id: 'fence-lost-job', area: 'fencing', bug: 'a provider job lost across a restart fails its items instead of sending them again',
    file: 'src/features/dispatch/batch-collect.ts', from: 'if (e.status === 404) return onLost(ctx, t, job, batch, now)', to: '',
    tests: ['test/features/dispatch/job-resend.test.ts'],
  },
  {
    id: 'privacy-artifact-expiry', area: 'privacy', bug: 'signed artifact links keep working long past their 15 minutes',
    file: 'src/features/batches/artifact-url.ts', from: '.setExpirationTime(nowS + ARTIFACT_URL_TTL_S)', to: '.setExpirationTime(nowS + ARTIFACT_URL_TTL_S * 1000)',
    tests: ['test/features/batches/artifact-links.test.ts'],
  },
  {
    id: 'privacy-confidential', area: 'privacy', bug: 'confidential work may run on a lane that retains data',
    file: 'src/features/routing/eligibility.ts', from: "if (tier === 'confidential' && !o.retention.zdr) {", to: "if (tier === 'confidential' && false) {",
    tests: ['test/features/routing/modes.test.ts', 'test/features/routing/properties.test.ts'],
  },
  {
    id: 'isolation-batch-org', area: 'isolation', bug: "another org's batch is readable by id",
    file: 'src/features/batches/queries.ts', from: 'where(and(eq(batchesTable.id, batchId), eq(batchesTable.orgId, orgId)))', to: 'where(eq(batchesTable.id, batchId))',
    tests: ['test/contract/isolation-matrix.test.ts'],
  },
  {
    id: 'money-overdraw', area: 'money', bug: 'money already reserved for running batches counts as available for a new one (overdraw)',
    file: 'src/features/credits/ledger.ts', from: 'if (input.amount > balance.available) {', to: 'if (input.amount > balance.available + balance.reserved) {',
    tests: ['test/features/credits/ledger.test.ts', 'test/features/credits/ledger.property.test.ts', 'test/features/credits/concurrency.test.ts'],
  },
  {
    id: 'money-charge-cap', area: 'money', bug: 'a batch is charged more than it reserved',
    file: 'src/features/credits/ledger.ts', from: 'const charged = Math.min(Math.max(0, charge), r.amount)', to: 'const charged = Math.max(0, charge)',
    tests: ['test/features/credits/ledger.test.ts', 'test/features/batches/rounding.test.ts'],
  },
  {
    id: 'money-round-up', area: 'money', bug: 'every item is rounded up to a whole micro-dollar (receipts stop reconciling)',
    file: 'src/lib/money.ts', from: 'return Math.floor((exact + 500_000) / 1_000_000)', to: 'return Math.ceil(exact / 1_000_000)',
    tests: ['test/features/batches/rounding.test.ts'],
  },
  {
    id: 'money-write-off', area: 'money', bug: 'item costs above the reservation stay on the results while the charge is capped',
    file: 'src/features/batches/work.ts', from: '    if (total <= cap) return total', to: '    return total',
    tests: ['test/features/batches/rounding.test.ts'],
  },
  {
    id: 'money-sla-ignored', area: 'money', bug: "the SLA tier's price multiplier is dropped from every price",
    file: 'src/features/catalog/pricing.ts', from: 'applyBps(base, fees.slaMultiplierBps - 10_000)', to: 'applyBps(base, 0)',
    tests: ['test/features/catalog/pricing.test.ts'],
  },
]

const ROOT = resolve(import.meta.dir, '..')

/** A copy of the working tree (tracked and untracked, not ignored) with node_modules linked. */
function copyTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'br-mutation-'))
  const listed = Bun.spawnSync(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT })
  for (const file of new TextDecoder().decode(listed.stdout).split('\0').filter(Boolean)) {
    const from = join(ROOT, file)
    const to = join(dir, file)
    mkdirSync(dirname(to), { recursive: true })
    try {
      cpSync(from, to)
    } catch {
      // Listed but deleted in the working tree: nothing to copy.
    }
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'))
  return dir
}

function runTests(dir: string, tests: string[]): { ok: boolean; tail: string } {
  const run = Bun.spawnSync([process.execPath, 'test', '--timeout', '120000', ...tests], { cwd: dir, env: { ...process.env, BR_TEST_LOG: 'silent' }, stdout: 'pipe', stderr: 'pipe' })
  const out = new TextDecoder().decode(run.stdout) + new TextDecoder().decode(run.stderr)
  return { ok: run.exitCode === 0, tail: out.split('\n').filter((l) => /^\s*\d+ (pass|fail)$/.test(l)).join(', ') }
}

function main(): number {
  const only = process.argv[2]
  const chosen = MUTATIONS.filter((m) => !only || m.id.startsWith(only))
  const dir = copyTree()
  const cleanup = () => rmSync(dir, { recursive: true, force: true })
  process.on('SIGINT', () => {
    cleanup()
    process.exit(130)
  })
  try {
    const allTests = [...new Set(chosen.flatMap((m) => m.tests))]
    const baseline = runTests(dir, allTests)
    console.log(`baseline (${allTests.length} test files, unmutated): ${baseline.ok ? 'green' : 'RED'} (${baseline.tail})`)
    if (!baseline.ok) return 1
    let killed = 0
    for (const m of chosen) {
      const path = join(dir, m.file)
      const original = readFileSync(path, 'utf8')
      if (original.split(m.from).length !== 2) {
        console.log(`${m.id.padEnd(24)} ${m.area.padEnd(9)} NOT APPLIED (the line to mutate is not found exactly once in ${m.file})`)
        continue
      }
      writeFileSync(path, original.replace(m.from, m.to))
      try {
        const run = runTests(dir, m.tests)
        if (!run.ok) killed++
        console.log(`${m.id.padEnd(24)} ${m.area.padEnd(9)} ${run.ok ? 'SURVIVED' : 'killed  '} ${m.bug} [${run.tail}]`)
      } finally {
        writeFileSync(path, original)
      }
    }
    console.log(`killed ${killed}/${chosen.length}`)
    return killed === chosen.length ? 0 : 1
  } finally {
    cleanup()
  }
}

process.exit(main())
