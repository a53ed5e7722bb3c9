# smalto — developer commands. `make help` lists them.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA ?= ./smalto-data
HOST ?= 127.0.0.1
PORT ?= 6726
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help venv serve test lint format typecheck bench clean

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

venv: $(BIN)/.installed ## create the virtualenv and install smalto with its dev tools

serve: venv ## start a server on the embedded default (SQLite + ./smalto-data) at 127.0.0.1:6726
	$(BIN)/smalto serve --host $(HOST) --port $(PORT) --data $(DATA)

test: venv ## run the whole test suite
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
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
