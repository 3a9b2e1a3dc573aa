/**
 * What persisting the simulator's batch dialects costs, against the in-memory simulator measured
 * in the same run (the baseline: how the simulator kept batches before it had a data dir).
 *
 * For each mode (memory, then a temp data dir) one simulator server in this process, on a fake
 * clock, runs: an OpenAI batch of N chat lines (upload the JSONL, create, advance past the
 * turnaround, the retrieve that runs every line and writes the output file, download the output)
 * and an Anthropic Message Batch of N requests (create, the retrieve that runs them, download the
 * results). Prints seconds per phase and the data-dir / memory ratio of the totals.
 *
 *   bun bench/sim-store.ts [lines=50000]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FakeClock } from '../src/lib/clock'
import { startSimulatorServer } from '../src/sim/server'

const N = Number(process.argv[2] ?? 50_000)
const CLAUDE = 'claude-haiku-4-5-20251001'

async function timed<T>(phases: Record<string, number>, name: string, fn: () => Promise<T>): Promise<T> {
  const start = performance.now()
  const value = await fn()
  phases[name] = (performance.now() - start) / 1000
  return value
}

async function run(dataDir: string | undefined): Promise<Record<string, number>> {
  const clock = new FakeClock(Date.parse('2026-03-01T00:00:00Z'))
  const sim = startSimulatorServer({ host: '127.0.0.1', port: 0, now: () => clock.now(), dataDir })
  const phases: Record<string, number> = {}
  const json = { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }
  try {
    await fetch(`${sim.url}/_sim/scenario`, { method: 'PUT', body: JSON.stringify({ global: { turnaround_s: 60 } }) })
    const lines = Array.from({ length: N }, (_, i) => JSON.stringify({ custom_id: `r${i}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Reply about item ${i}.` }], max_tokens: 16 } }))
    const form = new FormData()
    form.append('purpose', 'batch')
    form.append('file', new Blob([lines.join('\n') + '\n']), 'in.jsonl')
    const file = await timed(phases, 'openai upload', async () => (await (await fetch(`${sim.url}/v1/files`, { method: 'POST', body: form })).json()) as { id: string })
    const batch = await timed(phases, 'openai create', async () => (await (await fetch(`${sim.url}/v1/batches`, { method: 'POST', headers: json, body: JSON.stringify({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' }) })).json()) as { id: string })
    clock.advance(60_000)
    const done = await timed(phases, 'openai run+end', async () => (await (await fetch(`${sim.url}/v1/batches/${batch.id}`)).json()) as { status: string; output_file_id: string })
    if (done.status !== 'completed') throw new Error(`openai batch ${done.status}`)
    await timed(phases, 'openai output', async () => (await fetch(`${sim.url}/v1/files/${done.output_file_id}/content`)).text())

    const requests = Array.from({ length: N }, (_, i) => ({ custom_id: `r${i}`, params: { model: CLAUDE, max_tokens: 16, messages: [{ role: 'user', content: `Reply about item ${i}.` }] } }))
    const created = await timed(phases, 'anthropic create', async () => (await (await fetch(`${sim.url}/v1/messages/batches`, { method: 'POST', headers: json, body: JSON.stringify({ requests }) })).json()) as { id: string })
    clock.advance(60_000)
    const ended = await timed(phases, 'anthropic run+end', async () => (await (await fetch(`${sim.url}/v1/messages/batches/${created.id}`, { headers: json })).json()) as { processing_status: string })
    if (ended.processing_status !== 'ended') throw new Error(`anthropic batch ${ended.processing_status}`)
    await timed(phases, 'anthropic results', async () => (await fetch(`${sim.url}/v1/messages/batches/${created.id}/results`, { headers: json })).text())
    return phases
  } finally {
    sim.stop()
  }
}

const dir = mkdtempSync(join(tmpdir(), 'br-bench-sim-'))
try {
  const memory = await run(undefined)
  const disk = await run(dir)
  const total = (p: Record<string, number>) => Object.values(p).reduce((a, b) => a + b, 0)
  console.log(`simulator batch dialects, ${N} lines per batch (seconds)`)
  console.log(`${'phase'.padEnd(20)} ${'memory'.padStart(8)} ${'data dir'.padStart(9)}`)
  for (const phase of Object.keys(memory)) console.log(`${phase.padEnd(20)} ${memory[phase]!.toFixed(2).padStart(8)} ${disk[phase]!.toFixed(2).padStart(9)}`)
  console.log(`${'total'.padEnd(20)} ${total(memory).toFixed(2).padStart(8)} ${total(disk).toFixed(2).padStart(9)}   data dir / memory = ${(total(disk) / total(memory)).toFixed(2)}`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
