# smalto — developer commands. `make help` lists them.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA ?= ./smalto-data
HOST ?= 127.0.0.1
PORT ?= 6726
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help venv venv-compat serve test lint format typecheck bench clean

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

venv: $(BIN)/.installed ## create the virtualenv and install smalto with its dev tools

# The official mosaicolabs SDK, in its own virtualenv (never smalto's), for tests/compat.
COMPAT_BIN := $(VENV)-compat/bin
MOSAICOLABS ?= mosaicolabs==0.3.2

$(COMPAT_BIN)/.installed:
	$(PYTHON) -m venv $(VENV)-compat
	$(COMPAT_BIN)/pip install --quiet --upgrade pip
	$(COMPAT_BIN)/pip install --quiet '$(MOSAICOLABS)'
	touch $@

venv-compat: $(COMPAT_BIN)/.installed ## create .venv-compat with the official SDK (tests/compat)

serve: venv ## start a server on the embedded default (SQLite + ./smalto-data) at 127.0.0.1:6726
	$(BIN)/smalto serve --host $(HOST) --port $(PORT) --data $(DATA)

test: venv venv-compat ## run the whole test suite (creates .venv-compat once)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: venv ## ruff (lint + format check) and mypy --strict
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

format: venv ## apply ruff's formatting and safe fixes
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

bench: venv ## run every benchmark and write bench/RESULTS.md
	$(BIN)/python -m bench

clean: ## remove the virtualenv and caches
	rm -rf $(VENV) $(VENV)-compat .pytest_cache .mypy_cache .ruff_cache
