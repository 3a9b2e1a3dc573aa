/**
 * The OpenAI compatibility suite drives a real `bun src/main.ts serve --demo` child process with
 * the official `openai` npm package, exactly as a customer would after changing two lines (base
 * URL and key). Helpers here: start the server, register an org, build a client, write JSONL
 * inputs, poll a batch with the SDK, parse output files, and a loopback fault proxy.
 */
import OpenAI from 'openai'
import { registerOrg, removeDir, startServerProcess, tempDir, type ServerProcess } from '../helpers/process'

export interface CompatServer {
  server: ServerProcess
  url: string
  /** A new org (agent-register, demo starting credit) and an SDK client holding its key. */
  newClient(opts?: { maxRetries?: number; baseURL?: string }): Promise<{ client: OpenAI; key: string; orgId: string }>
  /** PUT /_sim/scenario on the mounted simulator. */
  scenario(body: unknown): Promise<void>
  stop(): Promise<void>
}

/** Starts the appliance in demo mode (simulator mounted, starting credit) on a temp data dir. */
export async function startCompatServer(config: Record<string, unknown> = {}): Promise<CompatServer> {
  const dir = tempDir('br-compat-')
  const server = await startServerProcess({ dataDir: `${dir}/data`, configPath: `${dir}/config.json`, config: { demo: true, tickMs: 50, startingCredit: '25.00', ...config } })
  return {
    server,
    url: server.url,
    async newClient(opts = {}) {
      const org = await registerOrg(server.url)
      const client = new OpenAI({ apiKey: org.key, baseURL: opts.baseURL ?? `${server.url}/v1`, maxRetries: opts.maxRetries ?? 2, timeout: 30_000 })
      return { client, key: org.key, orgId: org.orgId }
    },
    async scenario(body) {
      const res = await fetch(`${server.url}/_sim/scenario`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      if (!res.ok) throw new Error(`PUT /_sim/scenario: ${res.status} ${await res.text()}`)
    },
    async stop() {
      await server.stop()
      removeDir(dir)
    },
  }
}

/** One OpenAI batch request line. */
export interface RequestLine {
  custom_id: string
  method: 'POST'
  url: string
  body: Record<string, unknown>
}

export const chatLine = (customId: string, model = 'gpt-4o-mini', text = `Say hello to ${customId}.`): RequestLine => ({
  custom_id: customId,
  method: 'POST',
  url: '/v1/chat/completions',
  body: { model, messages: [{ role: 'user', content: text }], max_tokens: 64 },
})

export const embeddingLine = (customId: string, model = 'text-embedding-3-small'): RequestLine => ({
  custom_id: customId,
  method: 'POST',
  url: '/v1/embeddings',
  body: { model, input: `Embed the words of ${customId}.` },
})

export const responsesLine = (customId: string, model = 'gpt-4o-mini'): RequestLine => ({
  custom_id: customId,
  method: 'POST',
  url: '/v1/responses',
  body: { model, input: `Answer ${customId} in one word.`, max_output_tokens: 64 },
})

export const toJsonl = (lines: unknown[]): string => lines.map((l) => JSON.stringify(l)).join('\n') + '\n'

const TERMINAL = ['completed', 'failed', 'expired', 'cancelled']

/** Polls `client.batches.retrieve` until the batch is terminal; returns it and every status seen. */
export async function pollUntilDone(client: OpenAI, batchId: string, opts: { timeoutMs?: number; everyMs?: number } = {}): Promise<{ batch: OpenAI.Batch; seen: string[] }> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000)
  const seen: string[] = []
  for (;;) {
    const batch = await client.batches.retrieve(batchId)
    if (seen.at(-1) !== batch.status) seen.push(batch.status)
    if (TERMINAL.includes(batch.status)) return { batch, seen }
    if (Date.now() > deadline) throw new Error(`batch ${batchId} still ${batch.status} after ${opts.timeoutMs ?? 60_000} ms`)
    await Bun.sleep(opts.everyMs ?? 100)
  }
}

/** One line of an OpenAI output or error file. */
export interface OutputLine {
  id: string
  custom_id: string
  response: { status_code: number; request_id: string; body: any } | null
  error: { code: string; message: string } | null
}

/** Downloads a file with `client.files.content` and parses it line by line. */
export async function readJsonlFile(client: OpenAI, fileId: string): Promise<OutputLine[]> {
  const text = await (await client.files.content(fileId)).text()
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as OutputLine)
}

/** The value an SDK call rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise
  } catch (err) {
    return err
  }
  throw new Error('expected the call to fail, but it succeeded')
}

/** Sends `req` on to `target` unchanged and returns the answer (body read, so it can be re-sent). */
async function forwardTo(target: string, req: Request): Promise<Response> {
  const url = new URL(req.url)
  const headers = new Headers(req.headers)
  headers.delete('host')
  const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await req.arrayBuffer()
  const res = await fetch(`${target}${url.pathname}${url.search}`, { method: req.method, headers, body, redirect: 'manual' })
  const out = new Headers(res.headers)
  // fetch already decoded the body; the original length and encoding no longer apply.
  out.delete('content-encoding')
  out.delete('content-length')
  return new Response(await res.arrayBuffer(), { status: res.status, headers: out })
}

/**
 * A loopback HTTP proxy in front of the server. `intercept` sees every request with a `forward`
 * function; it may answer itself (a fault), forward and then answer something else (a lost
 * response), or return undefined to forward unchanged. Records every request's method, path
 * and headers.
 */
export function startFaultProxy(target: string, intercept: (req: Request, forward: (req: Request) => Promise<Response>) => Promise<Response | undefined> | Response | undefined = () => undefined) {
  const seen: { method: string; path: string; headers: Record<string, string> }[] = []
  const forward = (req: Request) => forwardTo(target, req)
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(req) {
      seen.push({ method: req.method, path: new URL(req.url).pathname, headers: Object.fromEntries(req.headers.entries()) })
      return (await intercept(req, forward)) ?? forward(req)
    },
  })
  return { url: `http://127.0.0.1:${server.port}`, seen, stop: () => server.stop(true) }
}
