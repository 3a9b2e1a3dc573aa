/** src/lib/signal-board.ts: named signals without payload, behind `deps.onNudge`. */
import { describe, expect, it } from 'bun:test'
import { createSignalBoard } from '../../src/lib/signal-board'

describe('signal board', () => {
  it('calls the listeners of the emitted name only, until each unsubscribes', () => {
    const board = createSignalBoard<'a' | 'b'>()
    const heard: string[] = []
    const offA1 = board.on('a', () => heard.push('a1'))
    board.on('a', () => heard.push('a2'))
    board.on('b', () => heard.push('b'))
    board.emit('a')
    offA1()
    board.emit('a')
    expect(heard).toEqual(['a1', 'a2', 'a2'])
  })

  it('counts the same function subscribed twice as two subscriptions', () => {
    const board = createSignalBoard<'a'>()
    let n = 0
    const fn = () => void n++
    const off = board.on('a', fn)
    board.on('a', fn)
    board.emit('a')
    off()
    board.emit('a')
    expect(n).toBe(3)
  })

  it('reports a throwing listener and still calls the others', () => {
    const errors: unknown[] = []
    const board = createSignalBoard<'a'>((err) => errors.push(err))
    let called = false
    board.on('a', () => {
      throw new Error('listener broke')
    })
    board.on('a', () => (called = true))
    board.emit('a')
    expect(called).toBe(true)
    expect(String(errors[0])).toContain('listener broke')
  })
})
