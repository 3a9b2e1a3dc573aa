# BatchRouter — every developer and CI entry point. A fresh machine needs only Node/npm:
# the pinned Bun comes from the npm registry into .tools/ when `bun` is missing or another version.
SHELL := /bin/bash
BUN_VERSION := 1.4.5
SYSTEM_BUN := $(shell command -v bun 2>/dev/null)
ifeq ($(SYSTEM_BUN),)
BUN := $(CURDIR)/.tools/node_modules/.bin/bun
else ifneq ($(shell bun --version 2>/dev/null),$(BUN_VERSION))
BUN := $(CURDIR)/.tools/node_modules/.bin/bun
else
BUN := $(SYSTEM_BUN)
endif
export PATH := $(dir $(BUN)):$(PATH)

.PHONY: run test check build smoke migrations bench fuzz clean deps screenshots mutation soak

$(CURDIR)/.tools/node_modules/.bin/bun:
	mkdir -p .tools
	npm install --no-save --no-audit --no-fund --prefix .tools bun@$(BUN_VERSION)

node_modules/.installed: package.json bun.lock | $(BUN)
	$(BUN) install --frozen-lockfile
	touch $@

deps: node_modules/.installed

## make run — the appliance on 127.0.0.1:8080, data in ./data, demo mode (simulator + demo key).
run: deps
	$(BUN) src/main.ts serve --demo

## make check — type-check only (the server, then the browser code of the web console).
check: deps
	$(BUN) x tsc --noEmit
	$(BUN) x tsc --noEmit -p src/console

## make test — type-check, then the whole suite; ends with "N passed, N failed".
test: deps
	$(BUN) x tsc --noEmit
	$(BUN) x tsc --noEmit -p src/console
	bash scripts/run-tests.sh $(BUN)

## make fuzz — the OpenAPI fuzz suite (test/contract/fuzz.test.ts) with 100,000 cases and a fresh
## seed, printed; replay one with FUZZ_SEED=<seed> FUZZ_RUNS=<n> make fuzz. `make test` runs 5,000.
fuzz: deps
	FUZZ_RUNS=$${FUZZ_RUNS:-100000} FUZZ_SEED=$${FUZZ_SEED:-$$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')} $(BUN) test test/contract/fuzz.test.ts

## make mutation — applies each realistic money/privacy/isolation/fencing bug of
## scripts/mutation-check.ts to a temp copy of the tree, runs the tests guarding it, reports killed/total.
mutation: deps
	$(BUN) scripts/mutation-check.ts

## make soak — the long crash-torture variant: 20 kill -9s over 3 batches (CRASH_SEED=<seed> replays one).
soak: deps
	CRASH_KILLS=20 CRASH_BATCHES=3 $(BUN) test test/reliability/crash-torture.test.ts --timeout 1800000

## make build — the single executable dist/batchrouter. Worker entrypoints are listed after
## main.ts so the binary carries them (bun build --compile bundles `new Worker` targets only then).
build: deps
	$(BUN) build --compile --minify --sourcemap --bytecode src/main.ts src/features/items/ingest-worker.ts src/features/files/jsonl-check-worker.ts src/jobs/worker.ts --outfile dist/batchrouter

## make smoke — the compiled binary on an empty temp data dir: /readyz, one authenticated request,
## a JSONL upload (its check runs in a Worker the binary must carry) and the console page.
smoke: build
	bash scripts/smoke.sh dist/batchrouter

## make migrations — regenerate drizzle/ from the tables and re-embed them (one initial
## migration until the first release; after that, switch to incremental drizzle-kit generate).
migrations: deps
	BUN=$(BUN) bash scripts/regen-migrations.sh

## make bench — every benchmark in bench/ (bench/all.ts: each ratio 3 times, then one table of
## every figure with median, spread, target and met/missed); not part of make test.
bench: deps
	$(BUN) bench/all.ts 3

## make screenshots — run the console browser tests with their screenshots written to docs/console/
## (needs Debian's chromium: apt-get install -y chromium).
screenshots: deps
	BR_SCREENSHOT_DIR=docs/console $(BUN) test test/console --timeout 120000

clean:
	rm -rf dist .tools node_modules
