/** Parts of the batch page: the lanes, the artifact downloads and the first results. */
import { useState } from 'preact/hooks'
import { api, ApiError } from '../../api'
import { useLoad } from '../../hooks'
import { isTerminal, money } from '../../format'
import type { BatchObject, Lane, ResultRow } from '../../types'
import { Empty, ErrorNote, Id, Loading, ProgressBar, StatusBadge } from '../../components/ui'

export function LaneTable({ lanes }: { lanes: Lane[] }) {
  if (lanes.length === 0) return <Empty>No lanes yet: the batch is still being routed.</Empty>
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col">Operation</th>
            <th scope="col">Provider / offering</th>
            <th scope="col">Status</th>
            <th scope="col" class="col-progress">
              Progress
            </th>
            <th scope="col" class="num">
              Done / failed / items
            </th>
          </tr>
        </thead>
        <tbody>
          {lanes.map((l) => (
            <tr key={l.lane_id}>
              <td>{l.model}</td>
              <td>{l.operation}</td>
              <td>
                {l.provider} <Id>{l.offering_id}</Id>
              </td>
              <td>
                <StatusBadge status={l.status} />
              </td>
              <td>
                <ProgressBar fraction={l.item_count ? (l.completed + l.failed) / l.item_count : 0} label={`Progress of lane ${l.lane_id}`} />
              </td>
              <td class="num">
                {l.completed} / {l.failed} / {l.item_count}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

const ARTIFACTS = [
  { kind: 'results', label: 'Results (JSONL)', file: 'results.jsonl' },
  { kind: 'receipt', label: 'Routing receipt (JSON)', file: 'receipt.json' },
  { kind: 'openai_output', label: 'OpenAI output file', file: 'output.jsonl' },
  { kind: 'openai_error', label: 'OpenAI error file', file: 'errors.jsonl' },
] as const

/** Each artifact through a fresh signed link (valid 15 minutes), downloaded by the browser. */
export function Downloads({ batch }: { batch: BatchObject }) {
  const [error, setError] = useState<ApiError | null>(null)
  if (!isTerminal(batch.batch.status)) return <p class="muted">Artifacts are written when the batch finishes.</p>
  const download = async (kind: string, file: string) => {
    setError(null)
    try {
      const link = await api<{ url: string; bytes?: number }>(`/v1/batches/${encodeURIComponent(batch.id)}/artifact-url?kind=${kind}`)
      const a = document.createElement('a')
      a.href = link.url
      a.download = `${batch.id}_${file}`
      document.body.append(a)
      a.click()
      a.remove()
    } catch (err) {
      setError(err instanceof ApiError ? err : null)
    }
  }
  const present = ARTIFACTS.filter((a) => (a.kind === 'openai_output' ? batch.output_file_id : a.kind === 'openai_error' ? batch.error_file_id : true))
  return (
    <>
      <div class="button-row">
        {present.map((a) => (
          <button key={a.kind} type="button" class="secondary" onClick={() => download(a.kind, a.file)}>
            Download {a.label}
          </button>
        ))}
      </div>
      {!batch.error_file_id && <p class="muted">No error file: no item failed.</p>}
      <ErrorNote error={error} />
    </>
  )
}

/** The first ten finished items (reloaded as more finish). */
export function ResultsPreview({ id, done }: { id: string; done: number }) {
  const results = useLoad(() => api<{ results: ResultRow[]; has_more: boolean }>(`/v1/batches/${encodeURIComponent(id)}/results?limit=10`), [id, Math.min(done, 10)])
  if (results.error) return <ErrorNote error={results.error} />
  if (!results.data) return <Loading />
  if (results.data.results.length === 0) return <Empty>No finished items yet.</Empty>
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col">Status</th>
            <th scope="col">Model · provider</th>
            <th scope="col">Output</th>
            <th scope="col" class="num">
              Tokens in / out
            </th>
            <th scope="col" class="num">
              Cost
            </th>
          </tr>
        </thead>
        <tbody>
          {results.data.results.map((r) => (
            <tr key={r.batch_item_id}>
              <td>{r.customer_item_id}</td>
              <td>
                <StatusBadge status={r.status} />
              </td>
              <td>
                {r.model} · {r.provider}
              </td>
              <td class="output">{r.error ? `${r.error.code}: ${r.error.message}` : outputText(r)}</td>
              <td class="num">{r.usage ? `${r.usage.input_tokens} / ${r.usage.output_tokens}` : '—'}</td>
              <td class="num">{money(r.cost.amount)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {results.data.has_more && <p class="muted">Showing the first 10; download the results file for all of them.</p>}
    </div>
  )
}

/** A short readable view of an output: the reply text, or the embedding's size. */
function outputText(r: ResultRow): string {
  const out = r.output
  const text = out?.choices?.[0]?.message?.content
  if (typeof text === 'string') return text.length > 160 ? `${text.slice(0, 160)}…` : text
  const vector = out?.data?.[0]?.embedding
  if (Array.isArray(vector)) return `embedding, ${vector.length} dimensions${out.data.length > 1 ? ` × ${out.data.length}` : ''}`
  const raw = JSON.stringify(out)
  return raw.length > 160 ? `${raw.slice(0, 160)}…` : raw
}
