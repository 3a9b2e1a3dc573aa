/**
 * The adapters by wire protocol, built once in the composition root and handed to the jobs.
 * Only request-style `openai-compatible` exists so far; batch dialects and `edge` join later.
 */
import { createOpenAiCompatibleAdapter, type OpenAiCompatibleOptions } from './openai-compatible'
import type { RequestAdapter } from './types'

export interface AdapterOptions {
  openaiCompatible?: OpenAiCompatibleOptions
}

/** Adapters keyed by the catalog provider `kind` they serve. */
export interface Adapters {
  'openai-compatible': RequestAdapter
}

/** Builds every adapter; no I/O happens until a call. */
export function createAdapters(opts: AdapterOptions = {}): Adapters {
  return { 'openai-compatible': createOpenAiCompatibleAdapter(opts.openaiCompatible) }
}
