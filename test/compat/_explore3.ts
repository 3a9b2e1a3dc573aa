import OpenAI, { toFile } from 'openai'
import { startCompatServer, chatLine, toJsonl, readJsonlFile } from './helpers'
const srv = await startCompatServer()
try {
  const { client } = await srv.newClient({ maxRetries: 0 })
  await srv.scenario({ global: { turnaround_s: 10 } })
  const lines = Array.from({ length: 20 }, (_, i) => chatLine(`c${i}`, i % 2 ? 'gpt-4o-mini' : 'claude-haiku-4-5'))
  const f = await client.files.create({ file: await toFile(Buffer.from(toJsonl(lines)), 'in.jsonl'), purpose: 'batch' })
  const b = await client.batches.create({ input_file_id: f.id, endpoint: '/v1/chat/completions', completion_window: '24h' })
  const t0 = Date.now()
  for (let i = 0; i < 12; i++) {
    const r: any = await client.batches.retrieve(b.id)
    console.log(Date.now() - t0, r.status, JSON.stringify(r.request_counts), JSON.stringify(r.batch.counts))
    await Bun.sleep(500)
  }
  const c = await client.batches.cancel(b.id)
  console.log('cancel ->', c.status, c.cancelling_at)
  for (let i = 0; i < 60; i++) {
    const r: any = await client.batches.retrieve(b.id)
    console.log(Date.now() - t0, r.status, JSON.stringify(r.request_counts), r.output_file_id, r.error_file_id, r.cancelled_at)
    if (r.status === 'cancelled') {
      if (r.output_file_id) console.log((await readJsonlFile(client, r.output_file_id)).map((l) => l.custom_id))
      if (r.error_file_id) console.log((await readJsonlFile(client, r.error_file_id)).map((l) => l.custom_id + ':' + (l.error?.code ?? l.response?.status_code)))
      break
    }
    await Bun.sleep(250)
  }
} finally {
  console.log(srv.server.stderr().slice(-3000))
  await srv.stop()
}
