/** The org's default delivery webhook: where batch events go, whether progress events are sent, and removing it. */
import { useEffect, useState } from 'preact/hooks'
import { api } from '../../api'
import { useAction, useLoad } from '../../hooks'
import type { Account, DeliveryWebhook } from '../../types'
import { ErrorNote, Field, Loading, Page, Panel } from '../../components/ui'

export function Webhooks() {
  const account = useLoad(() => api<Account>('/v1/auth/account'), [])
  const current = account.data?.delivery_webhook ?? null
  const [url, setUrl] = useState('')
  const [secret, setSecret] = useState('')
  const [progress, setProgress] = useState(false)
  const [saved, setSaved] = useState(false)
  useEffect(() => {
    setUrl(current?.url ?? '')
    setProgress(current?.progress_events ?? false)
  }, [current?.url, current?.progress_events])
  const save = useAction(() => api<DeliveryWebhook>('/v1/auth/account/delivery-webhook', { method: 'PUT', json: { url: url.trim(), secret, progress_events: progress } }))
  const remove = useAction(() => api<DeliveryWebhook>('/v1/auth/account/delivery-webhook', { method: 'DELETE' }))
  const onSave = async (e: Event) => {
    e.preventDefault()
    setSaved(false)
    if (await save.run()) {
      setSecret('')
      setSaved(true)
      account.reload()
    }
  }
  const onRemove = async () => {
    if (!confirm('Remove the default webhook? Batches without their own webhook will send no events.')) return
    if (await remove.run()) account.reload()
  }
  return (
    <Page title="Webhooks">
      <Panel title="Default delivery webhook">
        <p class="muted">
          Every batch without its own webhook sends <code>batch.completed</code>, <code>batch.failed</code>, <code>batch.cancelled</code> and <code>batch.expired</code> here, signed with
          your secret (the <code>X-BatchRouter-Signature</code> and Standard Webhooks headers). The deliveries of each batch are on its page.
        </p>
        <ErrorNote error={account.error} />
        {!account.data ? (
          !account.error && <Loading />
        ) : (
          <p role="status">{current?.configured ? <>Events go to <code>{current.url}</code>{current.progress_events ? ', with progress events.' : '.'}</> : 'No default webhook is set.'}</p>
        )}
        <form class="form-grid" onSubmit={onSave}>
          <Field label="Webhook URL" hint="https:// on a public host.">
            <input type="url" required value={url} maxLength={2048} onInput={(e) => setUrl(e.currentTarget.value)} placeholder="https://hooks.example.com/batchrouter" />
          </Field>
          <Field label="Signing secret" hint="8–256 characters, e.g. whsec_…; never shown again.">
            <input type="password" required minLength={8} maxLength={256} autoComplete="off" value={secret} onInput={(e) => setSecret(e.currentTarget.value)} />
          </Field>
          <label class="check">
            <input type="checkbox" checked={progress} onChange={(e) => setProgress(e.currentTarget.checked)} /> Also send <code>batch.progress</code> events (at most one per batch every 30 s)
          </label>
          <div class="form-actions">
            <button type="submit" disabled={save.busy}>
              {save.busy ? 'Saving…' : 'Save webhook'}
            </button>
            {current?.configured && (
              <button type="button" class="danger" onClick={onRemove} disabled={remove.busy}>
                Remove webhook
              </button>
            )}
            {saved && <span role="status">Saved.</span>}
          </div>
        </form>
        <ErrorNote error={save.error ?? remove.error} />
      </Panel>
    </Page>
  )
}
