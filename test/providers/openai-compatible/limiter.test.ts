import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { createLimiter, createOpenAiCompatibleAdapter } from '../../../src/providers/openai-compatible'
import { startSimulatorServer, type SimulatorServer } from '../../../src/sim/server'
import { chatRequest, setScenario } from '../request-adapter-contract'

let sim: SimulatorServer
beforeAll(() => {
  sim = startSimulatorServer({ host: '127.0.0.1', port: 0 })
})
afterAll(() => sim.stop())

describe('createLimiter', () => {
  it('never runs more than n at once and runs everything', async () => {
    const limiter = createLimiter(3)
    let inFlight = 0
    let peak = 0
    const done: number[] = []
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        limiter.run(async () => {
          inFlight++
          peak = Math.max(peak, inFlight)
          await Bun.sleep(i % 3)
          inFlight--
          done.push(i)
        }),
      ),
    )
    expect(peak).toBe(3)
    expect(done).toHaveLength(40)
    expect(limiter.active).toBe(0)
    expect(limiter.pending).toBe(0)
  })

  it('keeps the bound when a newcomer arrives between a release and the waiter waking', async () => {
    const limiter = createLimiter(1)
    let inFlight = 0
    let peak = 0
    const track = async () => {
      inFlight++
      peak = Math.max(peak, inFlight)
      await Bun.sleep(1)
      inFlight--
    }
    let finishFirst!: () => void
    const first = limiter.run(() => new Promise<void>((resolve) => (finishFirst = resolve)))
    const second = limiter.run(track)
    let third: Promise<void> | undefined
    finishFirst()
    queueMicrotask(() => (third = limiter.run(track))) // runs right after the first call releases its slot
    await Promise.all([first, second])
    await third
    expect(peak).toBe(1)
  })

  it('frees the slot when the call rejects', async () => {
    const limiter = createLimiter(1)
    await expect(limiter.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(await limiter.run(async () => 7)).toBe(7)
  })

  it('refuses a size below 1', () => {
    expect(() => createLimiter(0)).toThrow(RangeError)
  })

  it('bounds real requests in flight at the simulator', async () => {
    await setScenario(sim.url, { global: { latency_ms: 20 } })
    const limiter = createLimiter(4)
    const adapter = createOpenAiCompatibleAdapter()
    const outcomes = await Promise.all(Array.from({ length: 16 }, (_, i) => limiter.run(() => adapter.call({ providerId: 'sim', baseUrl: `${sim.url}/v1` }, chatRequest(`n${i}`)))))
    expect(outcomes.every((o) => o.ok)).toBe(true)
    const stats = (await (await fetch(`${sim.url}/_sim/stats`)).json()) as any
    expect(stats.total).toBe(16)
    expect(stats.max_in_flight).toBe(4)
  })
})
