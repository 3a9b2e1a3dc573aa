import { describe, expect, it } from 'bun:test'
import { allowedMoves, transitionGuard } from '../../src/lib/transitions'

type S = 'a' | 'b' | 'c'
const TABLE: Record<S, readonly S[]> = { a: ['b', 'c'], b: ['c'], c: [] }

describe('transitionGuard', () => {
  const guard = transitionGuard<S>('test', TABLE)

  it('returns the sources of a legal move for the guarded UPDATE', () => {
    expect(guard(['a', 'b'], 'c')).toEqual(['a', 'b'])
  })

  it('throws naming the machine and the illegal move', () => {
    expect(() => guard(['b'], 'a')).toThrow('illegal test transition b → a')
    expect(() => guard(['a', 'c'], 'c')).toThrow('illegal test transition c → c')
  })

  it('lists the statuses among a set that may move to a target', () => {
    expect(guard.into('c', ['a', 'b', 'c'])).toEqual(['a', 'b'])
    expect(guard.into('a', ['a', 'b', 'c'])).toEqual([])
  })

  it('lists every allowed move of a table', () => {
    expect(allowedMoves(TABLE)).toEqual([['a', 'b'], ['a', 'c'], ['b', 'c']])
  })
})
