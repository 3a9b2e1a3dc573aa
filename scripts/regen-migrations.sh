#!/usr/bin/env bash
# Pre-release: regenerate the single initial migration from the tables and re-embed it.
# Serialized with flock so parallel runs never interleave drizzle-kit's output files.
set -euo pipefail
cd "$(dirname "$0")/.."
BUN=${BUN:-bun}
exec 9>/tmp/batchrouter-migrations.lock
flock 9
rm -rf drizzle
"$BUN" x drizzle-kit generate --name init >/dev/null
"$BUN" scripts/embed-migrations.ts
