import { toFile } from 'openai'
import { startCompatServer, chatLine, embeddingLine, responsesLine, toJsonl, pollUntilDone, readJsonlFile } from './helpers'
const srv = await startCompatServer()
try {
  const { client } = await srv.newClient()
  const lines = [chatLine('a'), chatLine('b', 'claude-haiku-4-5')]
  const f = await client.files.create({ file: await toFile(Buffer.from(toJsonl(lines)), 'in.jsonl'), purpose: 'batch' })
  console.log('file', f)
  const b = await client.batches.create({ input_file_id: f.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { 'br.routing_mode': 'cheapest' } })
  console.log('created', JSON.stringify(b).slice(0, 1500))
  const { batch, seen } = await pollUntilDone(client, b.id)
  console.log('seen', seen)
  const { batch: _n, ...rest } = batch as any
  console.log('final', JSON.stringify(rest, null, 1))
  if (batch.output_file_id) console.log(JSON.stringify(await readJsonlFile(client, batch.output_file_id), null, 1))
  if (batch.error_file_id) console.log(JSON.stringify(await readJsonlFile(client, batch.error_file_id), null, 1))
  // embeddings + responses
  for (const [ep, mk] of [['/v1/embeddings', embeddingLine], ['/v1/responses', responsesLine]] as const) {
    const f2 = await client.files.create({ file: new File([toJsonl([mk('x1'), mk('x2')])], 'in2.jsonl'), purpose: 'batch' })
    const b2 = await client.batches.create({ input_file_id: f2.id, endpoint: ep as any, completion_window: '24h' })
    const r2 = await pollUntilDone(client, b2.id)
    console.log(ep, r2.seen, r2.batch.output_file_id, r2.batch.error_file_id, r2.batch.model)
    if (r2.batch.output_file_id) console.log(JSON.stringify((await readJsonlFile(client, r2.batch.output_file_id))[0]).slice(0, 800))
    if (r2.batch.error_file_id) console.log(JSON.stringify((await readJsonlFile(client, r2.batch.error_file_id))[0]).slice(0, 800))
  }
  const models = await client.models.list()
  console.log(models.data.map((m) => m.id).join(','))
  console.log(await client.models.retrieve('meta-llama/Llama-3.1-8B-Instruct').catch((e) => String(e)))
} finally {
  console.log(srv.server.stderr().slice(-3000))
  await srv.stop()
}
