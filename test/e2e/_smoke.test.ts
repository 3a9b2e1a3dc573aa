import { it, expect } from 'bun:test'
import { json, startTestApp } from '../helpers/test-app'
it('smoke', async () => {
  const app = await startTestApp({ config: { demo: true, tickMs: 100, startingCredit: '5.00' } })
  const reg = await json(app.request('/v1/auth/agent-register', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }))
  console.log(reg.status, reg.body)
  const auth = { authorization: `Bearer ${reg.body.api_key}`, 'content-type': 'application/json' }
  const items = Array.from({ length: 3 }, (_, i) => ({ customer_item_id: `i${i}`, operation: 'responses', model: 'gpt-4o-mini', input: { messages: [{ role: 'user', content: 'hi ' + i }] } }))
  const q = await json(app.request('/v1/quotes/model', { method: 'POST', headers: auth, body: JSON.stringify({ items }) }))
  console.log(q.status, JSON.stringify(q.body, null, 1).slice(0, 3000))
  const c = await json(app.request('/v1/batches', { method: 'POST', headers: { ...auth, 'idempotency-key': 'abcdefgh1' }, body: JSON.stringify({ items, quote_id: q.body.quote_id }) }))
  console.log(c.status, JSON.stringify(c.body).slice(0, 2000))
  for (let i = 0; i < 100; i++) {
    const g = await json(app.request('/v1/batches/' + c.body.id, { headers: auth }))
    if (g.body.batch.status === 'completed') { console.log(i, JSON.stringify(g.body)); break }
    await Bun.sleep(50)
  }
  const acct = await json(app.request('/v1/auth/account', { headers: auth }))
  console.log(acct.status, acct.body)
  const r = await json(app.request('/v1/batches/' + c.body.id + '/results?limit=2', { headers: auth }))
  console.log(JSON.stringify(r.body).slice(0, 2000))
  await app.close()
})
