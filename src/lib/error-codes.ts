/**
 * The error-code registry (contract §9): every stable `code` with the HTTP status and OpenAI
 * error `type` it maps to. Services throw AppError with one of these; nothing else sets a status.
 */
export const ERROR_CODES = {
  invalid_request: { status: 400, type: 'invalid_request_error' }, // malformed JSON, bad query, bad body
  validation_failed: { status: 400, type: 'invalid_request_error' }, // a field fails its schema
  preflight_failed: { status: 400, type: 'invalid_request_error' }, // batch items fail checks; details.preflight lists them
  invalid_idempotency_key: { status: 400, type: 'invalid_request_error' }, // Idempotency-Key missing or not 8–128 chars
  quote_mismatch: { status: 400, type: 'invalid_request_error' }, // batch parameters differ from the cited quote
  no_eligible_lane: { status: 400, type: 'invalid_request_error' }, // nothing in the request can be routed
  unsafe_webhook_url: { status: 400, type: 'invalid_request_error' }, // webhook URL not https or resolves privately
  unauthorized: { status: 401, type: 'authentication_error' }, // missing, malformed, unknown, revoked or expired key
  insufficient_credits: { status: 402, type: 'invalid_request_error' }, // reservation exceeds available credit
  forbidden: { status: 403, type: 'permission_error' }, // customer key on an operator route; registration closed
  invalid_signature: { status: 403, type: 'permission_error' }, // tampered or expired artifact token
  not_found: { status: 404, type: 'not_found_error' }, // unknown id, another org's object, unknown route
  method_not_allowed: { status: 405, type: 'invalid_request_error' }, // path exists, method does not
  idempotency_key_reused: { status: 409, type: 'invalid_request_error' }, // same key, different body
  idempotency_key_in_use: { status: 409, type: 'invalid_request_error' }, // same key still being processed
  batch_not_cancellable: { status: 409, type: 'invalid_request_error' }, // batch already terminal
  quote_expired: { status: 409, type: 'invalid_request_error' }, // quote past valid_until
  file_in_use: { status: 409, type: 'invalid_request_error' }, // file referenced by a running batch
  artifact_not_ready: { status: 409, type: 'invalid_request_error' }, // artifacts are written when the batch finishes
  no_config_file: { status: 409, type: 'invalid_request_error' }, // catalog reload on a router started without --config / BATCHROUTER_CONFIG
  lease_expired: { status: 409, type: 'invalid_request_error' }, // a fleet lease lapsed (its items went back to the queue)
  length_required: { status: 411, type: 'invalid_request_error' }, // raw upload without Content-Length
  payload_too_large: { status: 413, type: 'invalid_request_error' }, // body over the configured limit
  unsupported_media_type: { status: 415, type: 'invalid_request_error' }, // content type not on the allowlist
  rate_limited: { status: 429, type: 'rate_limit_error' }, // too many requests; carries retry-after
  internal_error: { status: 500, type: 'api_error' }, // unexpected; logged with the request id
  provider_capacity_unavailable: { status: 503, type: 'api_error' }, // every eligible lane is full
  not_ready: { status: 503, type: 'api_error' }, // draining or not yet ready
  storage_full: { status: 503, type: 'api_error' }, // the data disk is full (ENOSPC / SQLITE_FULL): nothing was stored; retry after the operator frees space
} as const

export type ErrorCode = keyof typeof ERROR_CODES
