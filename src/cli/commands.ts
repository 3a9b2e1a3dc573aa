/**
 * The command groups that parse their own flags (client commands over HTTP, operator commands on
 * the data dir), by first word. `main.ts` hands them the rest of the command line.
 */
import { runBatchCommand } from './client/batch'
import { runFilesCommand } from './client/files'
import { runQuoteCommand } from './client/quote'
import { EXIT_CODES_HELP } from './exit-codes'
import { runOrgsCommand } from './operator/orgs'
import { runKeysCommand } from './operator/keys'
import { runBatchesCommand, runLedgerCommand } from './operator/batches'
import { runDoctorCommand } from './operator/doctor'
import { runBackupCommand, runRestoreCommand } from './operator/backup'
import { runFleetCommand } from './operator/fleet'

/** A command group: takes the arguments after its name, resolves with the exit code. */
export type CommandGroup = (argv: string[]) => Promise<number>

export const COMMAND_GROUPS: Record<string, CommandGroup> = {
  batch: runBatchCommand,
  files: runFilesCommand,
  quote: runQuoteCommand,
  orgs: runOrgsCommand,
  keys: runKeysCommand,
  batches: runBatchesCommand,
  ledger: runLedgerCommand,
  doctor: runDoctorCommand,
  backup: runBackupCommand,
  restore: runRestoreCommand,
  fleet: runFleetCommand,
}

/** The part of `batchrouter help` that lists these groups. */
export const GROUPS_USAGE = `
Client (HTTP to a running router; BATCHROUTER_BASE_URL, BATCHROUTER_API_KEY or --base-url, --api-key):
  batchrouter batch submit FILE.jsonl [--quote] [--sla TIER] [--routing MODE] [--privacy TIER] [--watch]
  batchrouter batch watch|results|cancel BATCH_ID      batchrouter batch ls
  batchrouter files ls | files rm FILE_ID              batchrouter quote FILE.jsonl
  (JSON output with --json or when stdout is not a terminal; \`batchrouter batch --help\` for details)

${EXIT_CODES_HELP}
`
