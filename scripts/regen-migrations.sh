#!/usr/bin/env bash
# Pre-release: regenerate the single initial migration from the tables and re-embed it.
# Serialized with flock so parallel runs never interleave drizzle-kit's output files.
# SQL that drizzle-kit cannot generate (triggers) lives beside its feature's tables in
# src/features/*/*.sql and is appended to the migration, after the tables it refers to.
set -euo pipefail
cd "$(dirname "$0")/.."
BUN=${BUN:-bun}
exec 9>/tmp/batchrouter-migrations.lock
flock 9
rm -rf drizzle
"$BUN" x drizzle-kit generate --name init >/dev/null
for extra in src/features/*/*.sql; do
  [ -e "$extra" ] || continue
  printf -- '--> statement-breakpoint\n' >> drizzle/0000_init.sql
  cat "$extra" >> drizzle/0000_init.sql
done
"$BUN" scripts/embed-migrations.ts
