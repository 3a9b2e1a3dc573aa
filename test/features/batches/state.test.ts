import { describe, expect, it } from 'bun:test'
import { BATCH_STATUSES, TERMINAL_BATCH_STATUSES, openAiStatus, transitionFrom } from '../../../src/features/batches/state'

describe('batch state machine', () => {
  it.each([
    [['pending', 'queued'], 'routing'],
    [['routing'], 'dispatched'],
    [['routing'], 'queued'],
    [['routing'], 'pending'],
    [['dispatched'], 'processing'],
    [['creating'], 'pending'],
    [['pending', 'queued', 'dispatched', 'processing', 'completing'], 'completing'],
    [['completing'], 'completed'],
    [['completing'], 'cancelled'],
    [['completing'], 'expired'],
  ] as const)('allows %p → %s and returns the sources for the guarded UPDATE', (from, to) => {
    expect(transitionFrom(from, to)).toEqual([...from])
  })

  it.each([
    [['completed'], 'pending'],
    [['processing'], 'completed'],
    [['pending'], 'dispatched'],
    [['cancelled'], 'completing'],
    [['creating'], 'routing'],
  ] as const)('refuses %p → %s', (from, to) => {
    expect(() => transitionFrom(from, to)).toThrow(/illegal batch transition/)
  })

  it('lets no terminal status go anywhere', () => {
    for (const terminal of TERMINAL_BATCH_STATUSES) for (const to of BATCH_STATUSES) expect(() => transitionFrom([terminal], to)).toThrow()
  })

  it('maps native statuses to OpenAI statuses per the contract table', () => {
    expect(['pending', 'queued', 'routing'].map((s) => openAiStatus(s, false))).toEqual(['validating', 'validating', 'validating'])
    expect(['dispatched', 'processing', 'completing'].map((s) => openAiStatus(s, false))).toEqual(['in_progress', 'in_progress', 'finalizing'])
    expect(openAiStatus('processing', true)).toBe('cancelling')
    expect(openAiStatus('cancelled', true)).toBe('cancelled')
  })
})
