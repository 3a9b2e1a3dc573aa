/** `batchrouter quote FILE.jsonl`: prices a file on every eligible lane (free; locks rates 10 minutes). */
import { CLIENT_OPTIONS, oneOf, parseCommand } from '../args'
import { EXIT, EXIT_CODES_HELP } from '../exit-codes'
import { isJsonOutput, printJson, runReporting } from '../output'
import { PRIVACY_TIERS, ROUTING_MODES, SLA_TIERS } from '../../features/routing/index'
import { apiJson, resolveConnection } from './api'
import { describeQuote, type QuoteView } from './batch-view'
import { requireInputFile, uploadOnce } from './upload'

export const QUOTE_USAGE = `Usage:
  batchrouter quote FILE.jsonl [--sla ${SLA_TIERS.join('|')}] [--routing ${ROUTING_MODES.join('|')}] [--privacy ${PRIVACY_TIERS.join('|')}]

Uploads the file once (an earlier upload of the same bytes is reused) and prices it. Submit it
at the quoted rates with: batchrouter batch submit FILE.jsonl --quote

${EXIT_CODES_HELP}`

const OPTIONS = { ...CLIENT_OPTIONS, sla: { type: 'string' }, routing: { type: 'string' }, privacy: { type: 'string' } } as const

/** Entry of `quote`; returns the exit code. */
export async function runQuoteCommand(argv: string[]): Promise<number> {
  const json = isJsonOutput(argv.includes('--json'))
  return runReporting(json, async () => {
    const { values, positionals } = parseCommand(argv, OPTIONS, QUOTE_USAGE)
    if (values.help) {
      console.log(QUOTE_USAGE)
      return EXIT.ok
    }
    const path = requireInputFile(positionals[0], QUOTE_USAGE)
    const routing = { sla_tier: oneOf(values.sla, SLA_TIERS, 'sla', QUOTE_USAGE), routing_mode: oneOf(values.routing, ROUTING_MODES, 'routing', QUOTE_USAGE), privacy_tier: oneOf(values.privacy, PRIVACY_TIERS, 'privacy', QUOTE_USAGE) }
    const conn = resolveConnection(values)
    const file = await uploadOnce(conn, path)
    const quote = await apiJson<QuoteView>(conn, 'POST', '/v1/quotes/model', { json: { input_file_id: file.id, ...routing }, retry: true })
    if (json) printJson(quote)
    else for (const line of describeQuote(quote)) console.log(line)
    return EXIT.ok
  })
}
