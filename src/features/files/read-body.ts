/** Reading a request body chunk by chunk, with a read failure turned into a client error. */
import { AppError } from '../../lib/errors'

/**
 * Iterates a request body; a read failure (client gone, body cut short) becomes 400
 * invalid_request. Stopping early (a refusal mid-upload) cancels the rest of the body.
 */
export async function* readBody(body: ReadableStream<Uint8Array> | null): AsyncGenerator<Uint8Array> {
  if (!body) return
  const reader = body.getReader()
  try {
    for (;;) {
      const result = await reader.read().catch(() => {
        throw new AppError('invalid_request', { message: 'The upload was interrupted before the whole body arrived; send it again.' })
      })
      if (result.done) return
      yield result.value
    }
  } finally {
    reader.cancel().catch(() => undefined)
    reader.releaseLock()
  }
}
