#!/usr/bin/env bash
# Smoke test of the compiled binary: empty temp data dir, /readyz, one authenticated request, a
# JSONL upload (good and bad: the line check's Worker must be in the binary), and
# the web console page with one of its assets (embedded in the binary, nothing fetched elsewhere).
set -euo pipefail
BIN=$(realpath "$1")
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
cd "$dir"   # an empty directory: migrations must come from inside the binary
port=$(( 20000 + RANDOM % 20000 ))
start=$(date +%s%N)
"$BIN" serve --demo --port "$port" --data-dir "$dir/data" >"$dir/out.log" 2>"$dir/err.log" &
pid=$!
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then break; fi
  sleep 0.05
done
ready=$(( ($(date +%s%N) - start) / 1000000 ))
curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null || { echo "smoke: /readyz never answered"; cat "$dir/err.log"; exit 1; }
key=$(grep -oE 'br_live_[0-9A-Za-z]+' "$dir/out.log" | head -1)
[ -n "$key" ] || { echo "smoke: no demo key printed"; cat "$dir/out.log"; exit 1; }
account=$(curl -fsS -H "Authorization: Bearer $key" "http://127.0.0.1:$port/v1/auth/account")
echo "$account" | grep -q '"org_id"' || { echo "smoke: /v1/auth/account answered: $account"; exit 1; }
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/auth/account")
[ "$code" = 401 ] || { echo "smoke: unauthenticated request answered $code, expected 401"; exit 1; }
# A JSONL batch input: its line check runs in a Worker the binary must carry (jsonl-check-worker.ts).
printf '{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{}}\n{"custom_id":"b","method":"POST","url":"/v1/chat/completions","body":{}}\n' >"$dir/in.jsonl"
upload=$(curl -sS -H "Authorization: Bearer $key" -H 'Content-Type: application/jsonl' --data-binary @"$dir/in.jsonl" "http://127.0.0.1:$port/v1/files")
echo "$upload" | grep -q '"line_count":2' || { echo "smoke: JSONL upload answered: $upload"; cat "$dir/err.log"; exit 1; }
printf '{"custom_id":"a"}\nnot json\n' >"$dir/bad.jsonl"
bad=$(curl -sS -H "Authorization: Bearer $key" -H 'Content-Type: application/jsonl' --data-binary @"$dir/bad.jsonl" "http://127.0.0.1:$port/v1/files")
echo "$bad" | grep -q '"line":2' || { echo "smoke: bad JSONL upload answered: $bad"; exit 1; }
page=$(curl -fsS "http://127.0.0.1:$port/console") || { echo "smoke: /console did not answer 200"; exit 1; }
asset=$(echo "$page" | grep -oE '(src|href)="/[^"]+\.(js|css)"' | head -1 | cut -d'"' -f2)
[ -n "$asset" ] || { echo "smoke: /console names no script or stylesheet: $page"; exit 1; }
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$asset")
[ "$code" = 200 ] || { echo "smoke: console asset $asset answered $code"; exit 1; }
echo "smoke: ok (binary $(du -m "$BIN" | cut -f1) MB, ready in ${ready} ms)"
