# The two commands a newcomer needs: `make run` and `make test`. Both create the virtual
# environment when it is missing or when pyproject.toml / constraints.txt changed.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PIP_QUIET := --quiet --disable-pip-version-check

.PHONY: run test lint typecheck pytest venv clean docs contracts bench

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install $(PIP_QUIET) -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

## Start the whole platform on the embedded default (own nats-server, SQLite files under .danvan/).
## DEMO=1: once it is ready, seed a small demo data set when it holds no records yet.
run: $(STAMP)
	$(BIN)/danvan run $(if $(DEMO),--demo)

## Lint, type-check and run the whole test suite on real servers.
test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

## Measure the platform: a table, each figure beside its baseline, and bench-results.json.
## `make bench QUICK=1` is a small run (under a minute) that proves the benchmark works.
bench: $(STAMP)
	$(BIN)/python -m benchmarks $(if $(QUICK),--quick) $(BENCH_ARGS)

## Write the configuration table (generated from the settings) into the documents.
docs: $(STAMP)
	$(BIN)/danvan settings --write README.md --write deploy/README.md

## Build the event contracts' own wheel (danvan-contracts) into dist/, for outside subscribers.
contracts: $(STAMP)
	$(BIN)/pip wheel $(PIP_QUIET) --no-deps --no-build-isolation --wheel-dir dist ./contracts

clean:
	rm -rf $(VENV) .danvan .pytest_cache .mypy_cache .ruff_cache dist
