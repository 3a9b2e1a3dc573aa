import { it, expect } from 'bun:test'
import { readFileSync, writeFileSync } from 'node:fs'
import { multipartStream } from './helpers'
const LINES = 50_000, LINE_BYTES = 3146
it('exp', async () => {
  for (const mode of ['A', 'B', 'C', 'D', 'E']) {
    const child = Bun.spawn(['bun', '/work/main/.exp/srv.ts'], { env: { ...process.env, MODE: mode }, stdout: 'pipe', stderr: 'inherit' })
    const reader = child.stdout.getReader(); let text = ''
    while (!text.includes('\n')) text += new TextDecoder().decode((await reader.read()).value)
    const { url } = JSON.parse(text)
    const kb = (f: string) => Number(/(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(f))!)![1]) / 1024
    await Bun.sleep(200)
    const base = kb('VmRSS'); writeFileSync(`/proc/${child.pid}/clear_refs`, '5')
    const enc = new TextEncoder()
    const { body, contentType } = multipartStream([{ name: 'file', filename: 'a.jsonl', contentType: 'application/octet-stream', chunks: async function* () {
      for (let f = 0; f < LINES; f += 32) { let t = ''; for (let i = f; i < f + 32; i++) t += JSON.stringify({ i, x: 'x'.repeat(LINE_BYTES - 30) }).padEnd(LINE_BYTES - 1) + '\n'; yield enc.encode(t) }
    } }])
    const r = await (await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body, duplex: 'half' } as any)).json()
    console.log(mode, JSON.stringify(r), 'base', base.toFixed(1), 'peak', kb('VmHWM').toFixed(1), 'growth', (kb('VmHWM') - base).toFixed(1))
    child.kill(); await child.exited
  }
})
