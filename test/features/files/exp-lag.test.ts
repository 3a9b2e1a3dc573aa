import { it } from 'bun:test'
const LINES = 50_000, LINE_BYTES = 3146
it('exp', async () => {
  for (const mode of ['none', 'hash', 'check', 'sink', 'sink-hash-check', 'sink-hash-check']) {
    const child = Bun.spawn([process.execPath, '/work/main/.exp/srv.ts'], { env: { ...process.env, MODE: mode }, stdout: 'pipe', stderr: 'inherit' })
    const reader = child.stdout.getReader(); let text = ''
    while (!text.includes('\n')) text += new TextDecoder().decode((await reader.read()).value)
    const { url } = JSON.parse(text)
    const enc = new TextEncoder()
    let f = 0
    const body = new ReadableStream<Uint8Array>({ pull(c) { if (f >= LINES) return c.close(); let t = ''; for (let i = f; i < f + 32; i++) t += JSON.stringify({ i, x: 'x'.repeat(LINE_BYTES - 30) }).padEnd(LINE_BYTES - 1) + '\n'; f += 32; c.enqueue(enc.encode(t)) } })
    const r = await (await fetch(url, { method: 'POST', headers: { 'content-length': String(LINES * LINE_BYTES) }, body, duplex: 'half' } as any)).json()
    console.log('MODE', mode, JSON.stringify(r))
    child.kill(); await child.exited
  }
})
