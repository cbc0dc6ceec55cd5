# laosp — two commands: `make demo` (set up, build the demo registry, show it) and
# `make test` (set up, lint, type-check, run every test on SQLite and PostgreSQL).

PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup setup-runtime demo test lint typecheck pytest policy-tests bench clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Two environments in one .venv, each with its stamp: the demo needs only the runtime
# dependencies (`--no-dev`: no pytest, mypy, playwright, ...; about 430 MB instead of
# 716 MB, docs/PERFORMANCE.md); the tests need every group. `--inexact` keeps what a
# `make test` installed before, so `make demo` after it removes nothing.
$(VENV)/.synced-runtime: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --no-dev --inexact
	touch $@

$(VENV)/.synced-all: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --all-groups
	touch $@ $(VENV)/.synced-runtime

setup-runtime: $(VENV)/.synced-runtime

setup: $(VENV)/.synced-all

demo: setup-runtime
	$(BIN)/laosp demo $(DEMO_ARGS)

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: setup
	$(BIN)/mypy

pytest: setup
	$(BIN)/pytest $(PYTEST_ARGS)

policy-tests: setup
	$(BIN)/laosp rules test tests/policy

test: lint typecheck pytest policy-tests

bench: setup
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(TOOLS) .mypy_cache .ruff_cache .pytest_cache laosp.db*
