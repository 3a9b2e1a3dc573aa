/** The openai-batch wire protocol: OpenAI Files + Batch API adapter and its pure mapping. */
export { createOpenAiBatchAdapter, OPENAI_BATCH_LIMITS, JOB_METADATA_KEY, type OpenAiBatchOptions } from './adapter'
export { inputLine, outcomeOfLine, remoteState } from './map'
