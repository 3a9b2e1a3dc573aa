/**
 * A quote of a large file (exact token counts for every item) against the bare tokenizer, in one run.
 *
 * A JSONL of N chat items (OpenAI lines, a system prompt and a multilingual user message of
 * ~CHARS characters) is uploaded once to the router (child process `bun src/main.ts serve`), then
 * REPS times, alternating:
 * - router: `POST /v1/quotes/model {input_file_id, model}` until 200 (exact o200k counts per item,
 *   plus parse, validation, pricing and routing);
 * - bare: this process counts the same message texts with gpt-tokenizer's o200k `countTokens`
 *   (the encoding loaded before timing starts).
 * Prints both and bare ÷ router as a percentage (target ≥ 80 %).
 *
 *   bun bench/quote.ts [items=50000] [chars=600] [reps=3]
 */
import { join } from 'node:path'
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base'
import { openaiToSim, registerOrg, removeDir, startServerProcess, startSimProcess, tempDir } from '../test/helpers/process'
import { emitFigure, ratioFigure, spread } from './figures'

const N = Number(process.argv[2] ?? 50_000)
const CHARS = Number(process.argv[3] ?? 600)
const REPS = Number(process.argv[4] ?? 3)
const SYSTEM = 'You are a careful assistant for a logistics company. Answer in the language of the question, in at most three sentences.'
const WORDS = ['the', 'shipment', 'arrived', 'late', 'because', 'customs', 'held', 'pallets', 'in', 'Rotterdam', 'Lieferung', 'verspätet', 'Zoll', 'café', 'naïve', 'entrepôt', '東京', '倉庫', 'データ', '😀', 'invoice', 'please', 'summarise', 'this', 'thread', 'and', 'list', 'next', 'steps', 'for', 'our', 'team', '—', 'ordre', 'n°', '4711']

function text(chars: number, seed: number): string {
  let out = ''
  let i = seed
  while (out.length < chars) out += WORDS[(i = (i * 1103515245 + 12345) % 2147483648) % WORDS.length] + ' '
  return out
}

const users = Array.from({ length: N }, (_, i) => `Ticket #${i}: ${text(CHARS, i + 1)}`)
const jsonl = users.map((u, i) => JSON.stringify({ custom_id: `q-${i}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: u }], max_tokens: 100 } })).join('\n') + '\n'

/** The bare limit: the tokenizer alone over every message text. */
function bare(): { seconds: number; tokens: number } {
  const t = performance.now()
  let tokens = 0
  for (const u of users) tokens += countTokens(SYSTEM) + countTokens(u)
  return { seconds: (performance.now() - t) / 1000, tokens }
}

const root = tempDir('br-bench-quote-')
const sim = await startSimProcess()
let server: Awaited<ReturnType<typeof startServerProcess>> | undefined
try {
  server = await startServerProcess({
    dataDir: join(root, 'data'),
    configPath: join(root, 'config.json'),
    bunArgs: process.env.BENCH_PROFILE ? ['--cpu-prof-md', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [],
    config: { startingCredit: '1000.00', logLevel: 'warn', limits: { batchUploadBytes: 220 * 1024 * 1024 }, catalog: openaiToSim(sim.url) },
  })
  const client = await registerOrg(server.url)
  const bytes = Buffer.from(jsonl)
  const up = await fetch(`${server.url}/v1/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${client.key}`, 'content-type': 'application/jsonl', 'content-length': String(bytes.length), 'x-batchrouter-purpose': 'batch', 'x-batchrouter-filename': 'quote-bench.jsonl' },
    body: bytes,
  })
  if (up.status !== 200) throw new Error(`upload: ${up.status} ${await up.text()}`)
  const fileId = ((await up.json()) as { id: string }).id
  countTokens('warm the encoding up')
  // One untimed quote loads the router's encoding too.
  const warm = await client.post('/v1/quotes/model', { input_file_id: fileId, model: 'gpt-4o-mini', operation: 'responses' })
  if (warm.status !== 200) throw new Error(`quote: ${warm.status} ${JSON.stringify(warm.body).slice(0, 1000)}`)

  const ratios: number[] = []
  const lines: string[] = []
  for (let rep = 0; rep < REPS; rep++) {
    const b = bare()
    const t = performance.now()
    const q = await client.post('/v1/quotes/model', { input_file_id: fileId, model: 'gpt-4o-mini', operation: 'responses' })
    const routerS = (performance.now() - t) / 1000
    if (q.status !== 200) throw new Error(`quote: ${q.status}`)
    ratios.push((b.seconds / routerS) * 100)
    lines.push(`run ${rep + 1}: bare tokenizer ${b.seconds.toFixed(2)} s (${b.tokens.toLocaleString('en-US')} tokens), quote ${routerS.toFixed(2)} s (${q.body.estimated_input_tokens.toLocaleString('en-US')} input tokens, ${(N / routerS).toFixed(0)} items/s) = ${ratios.at(-1)!.toFixed(1)} %`)
  }
  console.log(`command: bun bench/quote.ts ${N} ${CHARS} ${REPS}  (router = child process \`bun src/main.ts serve\`; bare = gpt-tokenizer o200k countTokens in this process)`)
  console.log(`file: ${N.toLocaleString('en-US')} items, ${(bytes.length / 1e6).toFixed(1)} MB`)
  for (const l of lines) console.log(l)
  console.log(`ratio bare/quote: ${spread(ratios)} %  (target ≥ 80 %)`)
  emitFigure(ratioFigure('quote', `quote of ${N.toLocaleString('en-US')} items (exact tokens) / bare tokenizer`, ratios, '%', { min: 80 }))
} finally {
  await server?.stop('SIGTERM')
  await sim.stop('SIGTERM')
  removeDir(root)
}
