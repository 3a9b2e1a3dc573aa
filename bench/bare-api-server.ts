/**
 * The bare limit for bench/api.ts: Elysia + bun:sqlite over the router's own database file
 * (opened read-only, WAL lets it read beside the running router), no auth, no presenter.
 *
 * - GET /batches/:id → the batch row as JSON (one primary-key read);
 * - GET /batches/:id/items?after=SEQ → 100 item rows after SEQ in input order, as JSON.
 *
 *   bun bench/bare-api-server.ts <router.db>      (prints "listening on http://127.0.0.1:PORT")
 */
import { Database } from 'bun:sqlite'
import { Elysia } from 'elysia'

const db = new Database(process.argv[2]!, { readonly: true, strict: true })
const batch = db.prepare('SELECT * FROM batches WHERE id = ?')
const page = db.prepare('SELECT * FROM items WHERE batch_id = ? AND seq > ? ORDER BY seq LIMIT 100')

const app = new Elysia()
  .get('/batches/:id', ({ params }) => batch.get(params.id) ?? new Response('not found', { status: 404 }))
  .get('/batches/:id/items', ({ params, query }) => ({ data: page.all(params.id, Number(query.after ?? -1)) }))
  .listen({ hostname: '127.0.0.1', port: 0 })
console.log(`listening on http://127.0.0.1:${app.server!.port} `)
