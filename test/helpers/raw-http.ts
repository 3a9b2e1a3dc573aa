/**
 * A raw HTTP/1.1 client over a TCP socket, for what fetch cannot show: a body that is still being
 * sent (chunked, or never finished) when the server answers. It writes the body chunk by chunk,
 * yielding between writes so the answer is read as soon as it arrives, stops sending once it has,
 * and reports how much it had sent and when.
 */
import { connect } from 'node:net'

export interface RawBodyPlan {
  /** Bytes of body to send in all (chunked framing unless `contentLength` is given). */
  totalBytes: number
  chunkBytes?: number
  /** Byte `i` of the body (default 'a'); called once per chunk for the chunk's first byte offset. */
  fill?: (offset: number, length: number) => Uint8Array
  /** Send `Content-Length: <value>` instead of chunked framing (may differ from totalBytes). */
  contentLength?: number
  /** Keep the socket open after the last byte without ending the body (chunked: no last chunk). */
  leaveOpen?: boolean
}

export interface RawResponse {
  status: number
  headers: Record<string, string>
  body: string
  /** Body bytes written before the first byte of the answer arrived. */
  sentBeforeAnswer: number
  /** Milliseconds from the moment more than `refusedAfterBytes` body bytes had been written to the answer's first byte. */
  answeredAfterMs: number
}

/**
 * Sends `method path` to `baseUrl` with `headers` and the planned body; resolves with the answer.
 * `refusedAfterBytes` marks the point the server should refuse at (0: at once, before any body).
 * Rejects when no answer comes within `timeoutMs`.
 */
export function sendRaw(baseUrl: string, method: string, path: string, headers: Record<string, string>, plan: RawBodyPlan, refusedAfterBytes = 0, timeoutMs = 20_000): Promise<RawResponse> {
  const url = new URL(baseUrl)
  const chunkBytes = plan.chunkBytes ?? 256 * 1024
  const chunked = plan.contentLength === undefined
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname)
    let raw = Buffer.alloc(0)
    let sent = 0
    let crossedAt: number | null = refusedAfterBytes === 0 ? performance.now() : null
    let answeredAt: number | null = null
    let sentBeforeAnswer = 0
    let settled = false
    const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs} ms (sent ${sent} bytes)`)), timeoutMs)
    const finish = (err?: Error) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      if (err) return reject(err)
      const parsed = parseResponse(raw)
      if (!parsed) return reject(new Error(`incomplete answer: ${JSON.stringify(raw.toString('latin1').slice(0, 200))}`))
      resolve({ ...parsed, sentBeforeAnswer, answeredAfterMs: (answeredAt ?? performance.now()) - (crossedAt ?? answeredAt ?? 0) })
    }
    socket.on('data', (data: Buffer) => {
      if (answeredAt === null) {
        answeredAt = performance.now()
        sentBeforeAnswer = sent
      }
      raw = Buffer.concat([raw, data])
      if (parseResponse(raw)?.complete) finish()
    })
    socket.on('error', () => (answeredAt !== null ? finish() : undefined))
    socket.on('close', () => finish(answeredAt === null ? new Error(`connection closed without an answer after ${sent} bytes`) : undefined))
    const head = [`${method} ${path} HTTP/1.1`, `Host: ${url.host}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${plan.contentLength}`, '', ''].join('\r\n')
    socket.write(head)
    void (async () => {
      while (sent < plan.totalBytes && answeredAt === null && !settled) {
        const length = Math.min(chunkBytes, plan.totalBytes - sent)
        const data = plan.fill ? plan.fill(sent, length) : Buffer.alloc(length, 'a')
        const frame = chunked ? Buffer.concat([Buffer.from(`${length.toString(16)}\r\n`), data, Buffer.from('\r\n')]) : data
        const drained = socket.write(frame)
        sent += length
        if (crossedAt === null && sent > refusedAfterBytes) crossedAt = performance.now()
        if (!drained) await new Promise((r) => { const t = setTimeout(r, 50); socket.once('drain', () => { clearTimeout(t); r(undefined) }) })
        else await new Promise((r) => setImmediate(r))
      }
      if (answeredAt === null && !settled && chunked && !plan.leaveOpen) socket.write('0\r\n\r\n')
    })()
  })
}

function parseResponse(raw: Buffer): { status: number; headers: Record<string, string>; body: string; complete: boolean } | null {
  const end = raw.indexOf('\r\n\r\n')
  if (end < 0) return null
  const [statusLine, ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n')
  const status = Number(/^HTTP\/1\.\d (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0)
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const at = line.indexOf(':')
    if (at > 0) headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim()
  }
  const body = raw.subarray(end + 4)
  const length = headers['content-length'] === undefined ? null : Number(headers['content-length'])
  return { status, headers, body: body.toString('utf8'), complete: length !== null && body.length >= length }
}
