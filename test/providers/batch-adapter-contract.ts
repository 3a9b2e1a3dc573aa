/**
 * The batch adapter contract (design §5), run against every batch dialect over real HTTP with
 * the simulator on a fake clock: submit, poll to the end, results mapped to items, cancel,
 * expiry, partial failure, the split of an oversized lane, reconciliation by job id, and how
 * HTTP failures are classified. Each dialect's test file calls `batchAdapterContract`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'bun:test'
import { FakeClock } from '../../src/lib/clock'
import { splitEntries } from '../../src/providers/batch-split'
import { ProviderCallError, type BatchAdapter, type BatchEntry, type ItemOutcome, type ProviderEndpoint, type ProviderJobStatus } from '../../src/providers/types'
import { startSimulatorServer, type SimulatorServer } from '../../src/sim/server'

/** Provider batch limit the simulator enforces in these suites (so a split is cheap to show). */
export const SUITE_MAX_REQUESTS = 3

export interface BatchTarget {
  name: string
  /** The adapter under test; `limits` lowered to the simulator's. */
  adapter(fetchImpl?: typeof fetch): BatchAdapter
  /** The provider endpoint for a simulator at `simUrl`. */
  endpoint(simUrl: string): ProviderEndpoint
  /** Upstream model name the entries use. */
  model: string
}

export interface ContractContext {
  clock: FakeClock
  sim: () => SimulatorServer
  scenario(body: Record<string, unknown>): Promise<void>
  stats(): Promise<{ by_custom_id: Record<string, number>; by_path: Record<string, number> }>
}

let counter = 0

/** `n` chat entries with item ids `item_<tag><i>` and custom ids from the adapter. */
export function chatEntries(adapter: BatchAdapter, model: string, n: number, tag = `c${++counter}x`): BatchEntry[] {
  return Array.from({ length: n }, (_, i) => {
    const itemId = `item_${tag}${i}`
    return { customId: adapter.customIdFor(itemId, i), request: { itemId, operation: 'responses', url: '/v1/chat/completions', model, body: { messages: [{ role: 'user', content: `Hello number ${i}` }], max_tokens: 30 } } }
  })
}

/** The job ref of entries (custom id → item id). */
export function refOf(remoteId: string, entries: BatchEntry[]) {
  return { remoteId, items: new Map(entries.map((e) => [e.customId, e.request.itemId])) }
}

export async function collectAll(iterable: AsyncIterable<ItemOutcome>): Promise<ItemOutcome[]> {
  const out: ItemOutcome[] = []
  for await (const o of iterable) out.push(o)
  return out
}

const TERMINAL = new Set(['ended', 'failed', 'expired', 'cancelled'])

/** Polls, advancing the fake clock by `stepMs` between polls, until a terminal state. */
export async function pollToEnd(adapter: BatchAdapter, endpoint: ProviderEndpoint, remoteId: string, clock: FakeClock, stepMs = 1000, maxPolls = 100): Promise<{ last: ProviderJobStatus; seen: string[] }> {
  const seen: string[] = []
  for (let i = 0; i < maxPolls; i++) {
    const status = await adapter.poll(endpoint, remoteId)
    if (seen[seen.length - 1] !== status.state) seen.push(status.state)
    if (TERMINAL.has(status.state)) return { last: status, seen }
    clock.advance(stepMs)
  }
  throw new Error(`job ${remoteId} never ended; states seen: ${seen.join(' → ')}`)
}

/** Starts a simulator on a fake clock for one dialect's suite, with the suite's lowered limits. */
export function contractContext(): ContractContext {
  const clock = new FakeClock(Date.parse('2026-03-01T00:00:00Z'))
  let sim: SimulatorServer
  beforeAll(() => {
    const limits = { maxRequests: SUITE_MAX_REQUESTS, maxBytes: 1024 * 1024 }
    sim = startSimulatorServer({ host: '127.0.0.1', port: 0, now: () => clock.now(), batchLimits: { openai: limits, anthropic: limits } })
  })
  afterAll(() => sim.stop())
  beforeEach(async () => {
    await fetch(`${sim.url}/_sim/reset`, { method: 'POST' })
  })
  return {
    clock,
    sim: () => sim,
    async scenario(body) {
      const res = await fetch(`${sim.url}/_sim/scenario`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      expect(res.status).toBe(200)
    },
    stats: async () => (await (await fetch(`${sim.url}/_sim/stats`)).json()) as never,
  }
}

/** The shared suite. */
export function batchAdapterContract(target: BatchTarget, ctx: ContractContext): void {
  const endpoint = () => target.endpoint(ctx.sim().url)
  const entries = (adapter: BatchAdapter, n: number) => chatEntries(adapter, target.model, n)

  describe(`${target.name}: batch adapter contract`, () => {
    it('submits, polls to the end over simulated time and maps every result line to its item', async () => {
      const adapter = target.adapter()
      await ctx.scenario({ global: { turnaround_s: 10 } })
      const batch = entries(adapter, 3)
      const { remoteId } = await adapter.submit(endpoint(), { jobId: 'pjob_contract1', entries: batch })
      expect((await adapter.poll(endpoint(), remoteId)).state).toBe('running')
      const { last, seen } = await pollToEnd(adapter, endpoint(), remoteId, ctx.clock)
      expect(seen).toEqual(['running', 'ended'])
      expect(last.resultsReady).toBe(true)
      const outcomes = await collectAll(adapter.results(endpoint(), refOf(remoteId, batch)))
      expect(outcomes.map((o) => o.itemId).sort()).toEqual(batch.map((e) => e.request.itemId).sort())
      for (const o of outcomes) {
        if (!o.ok) throw new Error(`unexpected failure ${o.error.message}`)
        const i = batch.findIndex((e) => e.request.itemId === o.itemId)
        expect(o.output).toMatchObject({ object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: `Simulated reply to: Hello number ${i}` }, finish_reason: 'stop' }] })
        expect(o.usage.inputTokens).toBeGreaterThan(0)
        expect(o.usage.outputTokens).toBeGreaterThan(0)
      }
      // Reading results again runs nothing again.
      await collectAll(adapter.results(endpoint(), refOf(remoteId, batch)))
      const stats = await ctx.stats()
      for (const e of batch) expect(stats.by_custom_id[e.customId]).toBe(1)
    })

    it('cancel: lines finished before the cancel are kept, the rest come back not_run', async () => {
      const adapter = target.adapter()
      await ctx.scenario({ global: { turnaround_s: 10 } })
      const batch = entries(adapter, 3)
      const { remoteId } = await adapter.submit(endpoint(), { jobId: 'pjob_contract2', entries: batch })
      ctx.clock.advance(4000) // the first of three lines finishes at 1 s + 8 s/3 ≈ 3.7 s
      await adapter.cancel(endpoint(), remoteId)
      const { last } = await pollToEnd(adapter, endpoint(), remoteId, ctx.clock)
      expect(last.state).toBe('cancelled')
      const outcomes = await collectAll(adapter.results(endpoint(), refOf(remoteId, batch)))
      expect(outcomes).toHaveLength(3)
      expect(outcomes.filter((o) => o.ok).map((o) => o.itemId)).toEqual([batch[0]!.request.itemId])
      for (const o of outcomes.filter((x) => !x.ok)) expect(!o.ok && o.error.kind).toBe('not_run')
    })

    it('expiry: the finished half is returned, the rest not_run, and the job reads expired', async () => {
      const adapter = target.adapter()
      await ctx.scenario({ global: { turnaround_s: 10, expire: true } })
      const batch = entries(adapter, 3)
      const { remoteId } = await adapter.submit(endpoint(), { jobId: 'pjob_contract3', entries: batch })
      const { last } = await pollToEnd(adapter, endpoint(), remoteId, ctx.clock)
      expect(last.state).toBe('expired')
      const outcomes = await collectAll(adapter.results(endpoint(), refOf(remoteId, batch)))
      expect(outcomes.filter((o) => o.ok)).toHaveLength(1)
      expect(outcomes.filter((o) => !o.ok && o.error.kind === 'not_run')).toHaveLength(2)
      const stats = await ctx.stats()
      expect(Object.keys(stats.by_custom_id)).toEqual([batch[0]!.customId])
    })

    it('partial failure: failed lines become retryable server errors, the others succeed', async () => {
      const adapter = target.adapter()
      await ctx.scenario({ global: { turnaround_s: 2, partial_fail_rate: 0.5, seed: 7 } })
      const plan = splitEntries(entries(adapter, 9).map((entry) => ({ entry, bytes: 100 })), adapter.limits)
      const outcomes: ItemOutcome[] = []
      for (const [k, chunk] of plan.chunks.entries()) {
        const { remoteId } = await adapter.submit(endpoint(), { jobId: `pjob_partial${k}`, entries: chunk })
        expect((await pollToEnd(adapter, endpoint(), remoteId, ctx.clock)).last.state).toBe('ended')
        outcomes.push(...(await collectAll(adapter.results(endpoint(), refOf(remoteId, chunk)))))
      }
      expect(outcomes).toHaveLength(9)
      const failed = outcomes.filter((o) => !o.ok)
      expect(failed.length).toBeGreaterThan(0)
      expect(failed.length).toBeLessThan(9)
      for (const o of failed) expect(!o.ok && [o.error.kind, o.error.retryable]).toEqual(['server_error', true])
    })

    it(`splits an oversized lane into provider batches within the limit (${SUITE_MAX_REQUESTS} requests), and the simulator refuses an unsplit one`, async () => {
      const adapter = target.adapter()
      expect(adapter.limits.maxRequests).toBe(SUITE_MAX_REQUESTS)
      await ctx.scenario({ global: { turnaround_s: 1 } })
      const lane = entries(adapter, 7)
      const sized = lane.map((entry) => {
        const encoded = adapter.encode(entry)
        if (!encoded.ok) throw new Error(encoded.error.message)
        return { entry, bytes: encoded.bytes }
      })
      const plan = splitEntries(sized, adapter.limits)
      expect(plan.chunks.map((c) => c.length)).toEqual([3, 3, 1])
      const done: ItemOutcome[] = []
      for (const [k, chunk] of plan.chunks.entries()) {
        const { remoteId } = await adapter.submit(endpoint(), { jobId: `pjob_split${k}`, entries: chunk })
        expect((await pollToEnd(adapter, endpoint(), remoteId, ctx.clock)).last.state).toBe('ended')
        done.push(...(await collectAll(adapter.results(endpoint(), refOf(remoteId, chunk)))))
      }
      expect(done.filter((o) => o.ok).map((o) => o.itemId).sort()).toEqual(lane.map((e) => e.request.itemId).sort())

      const oversized = entries(adapter, SUITE_MAX_REQUESTS + 1)
      let refused = false
      try {
        const { remoteId } = await adapter.submit(endpoint(), { jobId: 'pjob_unsplit', entries: oversized })
        refused = (await pollToEnd(adapter, endpoint(), remoteId, ctx.clock)).last.state === 'failed'
      } catch (err) {
        refused = err instanceof ProviderCallError && err.error.kind === 'invalid_request'
      }
      expect(refused).toBe(true)
    })

    it('finds a job it created by our job id (reconciling a submission after a crash)', async () => {
      const adapter = target.adapter()
      await ctx.scenario({ global: { turnaround_s: 60 } })
      const batch = entries(adapter, 2)
      const submittedAt = ctx.clock.now()
      const { remoteId } = await adapter.submit(endpoint(), { jobId: 'pjob_findme', entries: batch })
      expect(await adapter.find(endpoint(), { jobId: 'pjob_findme', submittedAt, requestCount: 2 })).toBe(remoteId)
    })

    it('classifies HTTP failures: a 503 on create is retryable, an unknown job is not', async () => {
      const adapter = target.adapter()
      await ctx.scenario({ global: { fail_rate: 1, fail_status: 503, retry_after_s: 2 } })
      const err = await adapter.submit(endpoint(), { jobId: 'pjob_503', entries: entries(adapter, 1) }).catch((e) => e)
      expect(err).toBeInstanceOf(ProviderCallError)
      expect(err.error).toMatchObject({ kind: 'server_error', retryable: true, status: 503 })
      await ctx.scenario({})
      const missing = await adapter.poll(endpoint(), 'batch_doesnotexist').catch((e) => e)
      expect(missing).toBeInstanceOf(ProviderCallError)
      expect(missing.error).toMatchObject({ kind: 'invalid_request', retryable: false, status: 404 })
    })
  })
}
