/**
 * Exit codes every `batchrouter` command keeps, so scripts can branch on them. Listed in
 * `batchrouter help` and the README; a new code is added here, never reused for another meaning.
 */
export const EXIT = {
  ok: 0, // done; for `batch watch` / `batch submit --watch`: the batch completed
  failure: 1, // runtime failure: server error (5xx), network, disk, or a doctor check failed
  usage: 2, // bad command line or configuration (the message names the flag or key)
  auth: 3, // no API key, or the server refused it (401/403)
  batchUnsuccessful: 4, // the watched batch ended failed, expired or cancelled
  refused: 5, // the server refused the request (4xx): invalid input, not found, conflict, no credit
  interrupted: 130, // Ctrl-C while watching (the batch keeps running)
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** An error that ends a command with `exitCode` after printing `message` (no stack trace). */
export class CliError extends Error {
  constructor(
    message: string,
    public readonly exitCode: ExitCode,
    /** The server's error envelope fields, when the error came from the API. */
    public readonly envelope?: { code: string; status: number; request_id?: string; param?: string | null; details?: unknown },
  ) {
    super(message)
  }
}

/** The exit-code table as printed in help texts. */
export const EXIT_CODES_HELP = `Exit codes:
  0  ok (batch watch, batch submit --watch: the batch completed)
  1  runtime failure: server error (5xx), network, disk; doctor found a problem
  2  bad usage or configuration (the message names the flag or key)
  3  no API key, or the key was refused (401/403)
  4  the batch ended failed, expired or cancelled
  5  the server refused the request (4xx: invalid input, not found, conflict, insufficient credit)
  130 interrupted while watching (the batch keeps running)`
