/**
 * Worker entrypoint for `JsonlCheckInWorker` (jsonl-check-offthread.ts): runs one upload's
 * JsonlChecker (split + JSON.parse + depth check of every line) off the API thread. Each chunk
 * arrives as a transferred buffer and is answered with an ack carrying the first problem, if any,
 * so the API thread can stop a strict upload between chunks and bound the bytes in flight.
 * `make build` lists this file as an entrypoint so the compiled binary carries it.
 */
import { AppError } from '../../lib/errors'
import { JsonlChecker, type JsonlLimits } from './jsonl-check'

/** A checker problem as plain data (AppError does not survive a structured clone). */
export interface CheckProblem {
  code: AppError['code']
  message: string
  param: string | null
  details?: Record<string, unknown>
}

export type ToJsonlCheckWorker =
  | { kind: 'start'; limits: JsonlLimits }
  | { kind: 'chunk'; bytes: ArrayBuffer }
  | { kind: 'end' }

export type FromJsonlCheckWorker =
  | { kind: 'ack'; bytes: number; problem: CheckProblem | null }
  | { kind: 'ended'; lineCount: number; problem: CheckProblem | null }

declare const self: Worker

let checker: JsonlChecker | null = null

function problemOf(c: JsonlChecker): CheckProblem | null {
  const e = c.error
  return e ? { code: e.code, message: e.message, param: e.param, details: e.details } : null
}

self.onmessage = (event: MessageEvent<ToJsonlCheckWorker>) => {
  const m = event.data
  const post = (out: FromJsonlCheckWorker) => self.postMessage(out)
  if (m.kind === 'start') {
    checker = new JsonlChecker(m.limits)
  } else if (m.kind === 'chunk') {
    const bytes = m.bytes.byteLength
    checker!.push(new Uint8Array(m.bytes))
    post({ kind: 'ack', bytes, problem: problemOf(checker!) })
  } else {
    checker!.end()
    post({ kind: 'ended', lineCount: checker!.lineCount, problem: problemOf(checker!) })
  }
}
