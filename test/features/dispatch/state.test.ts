/** The lane and provider-job state machines, checked move by move against tables written out here. */
import { describe, expect, it } from 'bun:test'
import { LANE_STATUSES, LANE_TRANSITIONS, PROVIDER_JOB_STATUSES, PROVIDER_JOB_TRANSITIONS, UNFINISHED_PROVIDER_JOB_STATUSES, laneTransitionFrom, providerJobTransitionFrom, type LaneStatus, type ProviderJobRowStatus } from '../../../src/features/dispatch/state'
import { allowedMoves, type TransitionGuard } from '../../../src/lib/transitions'

function checkMachine<S extends string>(name: string, statuses: readonly S[], table: Readonly<Record<S, readonly S[]>>, guard: TransitionGuard<S>, expected: Array<[S, S, string]>) {
  describe(`${name} state machine`, () => {
    it('allows exactly the moves of the table', () => {
      expect(allowedMoves(table).sort()).toEqual(expected.map(([from, to]) => [from, to] as [S, S]).sort())
    })
    for (const [from, to, who] of expected) {
      it(`allows ${from} → ${to} (${who})`, () => expect(guard([from], to)).toEqual([from]))
    }
    it('refuses every other move, naming it', () => {
      const allowed = new Set(expected.map(([from, to]) => `${from}>${to}`))
      for (const from of statuses) for (const to of statuses) if (!allowed.has(`${from}>${to}`)) expect(() => guard([from], to)).toThrow(`illegal ${name} transition ${from} → ${to}`)
    })
  })
}

const ENDS = ['completed', 'failed', 'cancelled', 'expired'] as const

checkMachine<LaneStatus>('lane', LANE_STATUSES, LANE_TRANSITIONS, laneTransitionFrom, [
  ['dispatched', 'rerouted', 'failover moved every unfinished item away'],
  ...ENDS.map((end): [LaneStatus, LaneStatus, string] => ['dispatched', end, 'finalize ends it with its batch']),
  ...ENDS.map((end): [LaneStatus, LaneStatus, string] => ['rerouted', end, 'finalize ends it with its batch']),
])

checkMachine<ProviderJobRowStatus>('provider job', PROVIDER_JOB_STATUSES, PROVIDER_JOB_TRANSITIONS, providerJobTransitionFrom, [
  ['submitting', 'running', 'the remote create succeeded (or a crashed one was found)'],
  ['submitting', 'ended', 'nothing was left to send'],
  ['submitting', 'failed', 'the create kept failing'],
  ['submitting', 'cancelled', 'its batch was stopped before the create'],
  ['running', 'ended', 'the provider finished it'],
  ['running', 'failed', 'the provider failed it, or it stalled and was given up'],
  ['running', 'expired', "the provider's window ran out"],
  ['running', 'cancelled', 'cancelled (our batch stopped, or a stall)'],
])

describe('provider-job statuses', () => {
  it('calls unfinished exactly the statuses a job can still leave', () => {
    expect<string[]>([...UNFINISHED_PROVIDER_JOB_STATUSES].sort()).toEqual(PROVIDER_JOB_STATUSES.filter((s) => PROVIDER_JOB_TRANSITIONS[s].length > 0).sort())
  })

  it('ends an unfinished job from the statuses that may reach each end', () => {
    expect(providerJobTransitionFrom.into('expired', UNFINISHED_PROVIDER_JOB_STATUSES)).toEqual(['running'])
    expect(providerJobTransitionFrom.into('cancelled', UNFINISHED_PROVIDER_JOB_STATUSES)).toEqual(['submitting', 'running'])
  })
})
