# Oversight: `make run` and `make test` are all a new machine needs (both install first).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export OVERSIGHT_ENV ?= development

.PHONY: install run test test-slow lint audit bench clean

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -c requirements.lock -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: install
	mkdir -p var
	$(BIN)/oversight migrate
	$(BIN)/oversight seed-demo
	$(BIN)/oversight serve --host $(HOST) --port $(PORT)

# One xdist worker per core; each has its own PostgreSQL database when the suite runs there.
# Tests that measure latency (marker `serial`) run afterwards on their own, so the other
# workers' load is not in their figures. Exit code 5 means "no serial test selected".
TEST_WORKERS ?= auto
test: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not slow and not serial" $(PYTEST_ARGS)
	$(BIN)/python -m pytest -m serial $(PYTEST_ARGS) || test $$? -eq 5

# QUALITY.md R1, R2 and R5 against a real `oversight serve` process (a few minutes; prints
# the figures). PostgreSQL variants run when OVERSIGHT_TEST_DATABASE_URL is set.
test-slow: install
	$(BIN)/python -m pytest tests/slow -m slow -s $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy api web domain

# S8: pip-audit and npm audit; not part of CI (see .ci/audit).
audit: install
	.ci/audit

bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules var test-artifacts .pytest_cache .mypy_cache .ruff_cache
