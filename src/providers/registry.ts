/**
 * The adapters by wire protocol, built once in the composition root and handed to the jobs.
 * Request-style: `openai-compatible`. Batch-style: `openai-batch`, `anthropic-batches`.
 * (`edge` joins later.)
 */
import { createAnthropicBatchesAdapter, type AnthropicBatchesOptions } from './anthropic-batches'
import { createOpenAiBatchAdapter, type OpenAiBatchOptions } from './openai-batch'
import { createOpenAiCompatibleAdapter, type OpenAiCompatibleOptions } from './openai-compatible'
import type { BatchAdapter, RequestAdapter } from './types'

export interface AdapterOptions {
  openaiCompatible?: OpenAiCompatibleOptions
  openaiBatch?: OpenAiBatchOptions
  anthropicBatches?: AnthropicBatchesOptions
}

/** Adapters keyed by the catalog provider `kind` they serve. */
export interface Adapters {
  'openai-compatible': RequestAdapter
  'openai-batch': BatchAdapter
  'anthropic-batches': BatchAdapter
}

/** Builds every adapter; no I/O happens until a call. */
export function createAdapters(opts: AdapterOptions = {}): Adapters {
  return {
    'openai-compatible': createOpenAiCompatibleAdapter(opts.openaiCompatible),
    'openai-batch': createOpenAiBatchAdapter(opts.openaiBatch),
    'anthropic-batches': createAnthropicBatchesAdapter(opts.anthropicBatches),
  }
}

/** True for the adapters that run provider jobs rather than one call per item. */
export function isBatchAdapter(adapter: RequestAdapter | BatchAdapter): adapter is BatchAdapter {
  return adapter.kind === 'openai-batch' || adapter.kind === 'anthropic-batches'
}
