/** Fleet test helpers: mint a join token, join as a node, call node routes, and a valid upstream answer. */
import { json, type TestApp } from './test-app'

export interface JoinedNode {
  nodeId: string
  token: string
  auth: Record<string, string>
}

/** POST /v1/admin/fleet/join-tokens; returns the whole answer. */
export function mintJoinToken(app: TestApp, admin: Record<string, string>, body: Record<string, unknown>) {
  return json(app.request('/v1/admin/fleet/join-tokens', { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: JSON.stringify(body) }))
}

/** A node body offering `models` (chat) with `concurrency`. */
export function nodeBody(name: string, models: string[], concurrency = 4, extra: Record<string, unknown> = {}) {
  return { name, version: '0.0.1-test', offerings: models.map((model) => ({ model, served_model: `${model}-served`, operations: ['responses'] })), capacity: { concurrent_items: concurrency }, ...extra }
}

/** POST /v1/fleet/join. */
export function joinRaw(app: TestApp, joinToken: string, node: Record<string, unknown>) {
  return json(app.request('/v1/fleet/join', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ join_token: joinToken, node }) }))
}

/** Mints a token of `tier` in `regions` and joins with it; asserts both succeed. */
export async function joinNode(app: TestApp, admin: Record<string, string>, tier: 'standard' | 'restricted', models: string[], regions = ['eu-west-1'], name = `${tier}-node`): Promise<JoinedNode> {
  const minted = await mintJoinToken(app, admin, { trust_tier: tier, regions })
  if (minted.status !== 201) throw new Error(`mint failed: ${JSON.stringify(minted.body)}`)
  const joined = await joinRaw(app, minted.body.join_token, nodeBody(name, models))
  if (joined.status !== 201) throw new Error(`join failed: ${JSON.stringify(joined.body)}`)
  return { nodeId: joined.body.node_id, token: joined.body.node_token, auth: { authorization: `Bearer ${joined.body.node_token}` } }
}

/** POST a node route with a JSON body and the node's token. */
export function nodePost(app: TestApp, auth: Record<string, string>, path: string, body: unknown = {}) {
  return json(app.request(path, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) }))
}

/** A chat.completion an upstream would answer for `model`. */
export function chatCompletion(model: string, text = 'hello') {
  return { id: `chatcmpl-${crypto.randomUUID()}`, object: 'chat.completion', created: 1, model, choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } }
}

/** Completed results for every leased item. */
export function completedResults(items: Array<{ item_id: string; attempt: number; served_model: string }>) {
  return { results: items.map((i) => ({ item_id: i.item_id, attempt: i.attempt, status: 'completed', response: chatCompletion(i.served_model), usage: { input_tokens: 10, output_tokens: 5 } })) }
}
