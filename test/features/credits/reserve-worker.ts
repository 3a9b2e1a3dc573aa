/**
 * Child process for the cross-process reservation test: opens the same data dir with openStore,
 * writes `ready-<pid>` into the data dir and waits for a `go` file (so every process starts
 * together), then tries `attempts` reservations of `amount` micro-dollars.
 * Prints one JSON line: {ok, refused}. Usage: bun reserve-worker.ts DATA_DIR ORG AMOUNT ATTEMPTS
 */
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { validateConfig } from '../../../src/config'
import { openStore } from '../../../src/cli/open-store'
import { writeTx } from '../../../src/db/tx'
import { AppError } from '../../../src/lib/errors'
import { reserveCreditsInTx } from '../../../src/features/credits'

const [dataDir, orgId, amountText, attemptsText] = Bun.argv.slice(2)
const deps = openStore(validateConfig({ dataDir: dataDir!, logLevel: 'silent' }), { migrate: false })
const amount = Number(amountText)
const attempts = Number(attemptsText)
writeFileSync(join(dataDir!, `ready-${process.pid}`), '')
while (!existsSync(join(dataDir!, 'go'))) await Bun.sleep(2)
let ok = 0
let refused = 0
for (let i = 0; i < attempts; i++) {
  try {
    writeTx(deps.db, () => reserveCreditsInTx(deps, { orgId: orgId!, batchId: `bat_p${process.pid}_${i}`, amount }))
    ok++
  } catch (err) {
    if (!(err instanceof AppError && err.code === 'insufficient_credits')) throw err
    refused++
  }
  await Bun.sleep(1)
}
deps.db.$client.close()
console.log(JSON.stringify({ ok, refused }))
