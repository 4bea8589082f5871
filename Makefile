# The two commands: `make run` serves the demo, `make test` runs every check. Both set up
# everything they need (virtual environment, dependencies, database) and are quick when
# nothing changed.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
export PILOTAGE_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test lint typecheck imports unit postgres e2e screenshots messages benchmark clean help

help:
	@echo "make run [PORT=8000]   set up, migrate, load the demo if empty, serve on http://$(HOST):$(PORT)"
	@echo "make test              set up, then lint, type checks, import rules and the whole test suite"
	@echo "make screenshots       refresh the README screenshots under docs/images/"
	@echo "make messages          refresh the translation catalogues (needs GNU gettext)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/pilotage migrate
	$(BIN)/pilotage demo --if-empty
	$(BIN)/pilotage serve --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy src

imports: $(VENV)/.installed-dev
	$(BIN)/lint-imports

unit: $(VENV)/.installed-dev
	$(BIN)/pytest

# The engine and the file formats never touch the database: their tests run once, above.
postgres: $(VENV)/.installed-dev
	$(BIN)/pytest -p tests.pgcluster -m "not e2e" tests --ignore=tests/engine --ignore=tests/interop

test: lint typecheck imports unit postgres

screenshots: $(VENV)/.installed-dev
	PILOTAGE_SCREENSHOTS_DIR=$(CURDIR)/docs/images $(BIN)/pytest tests/e2e -m e2e

messages: $(VENV)/.installed-dev
	cd src/pilotage && PILOTAGE_DATA_DIR=../../var ../../$(BIN)/django-admin makemessages --settings=pilotage.config.settings -l fr --no-obsolete --no-location
	cd src/pilotage && PILOTAGE_DATA_DIR=../../var ../../$(BIN)/django-admin compilemessages --settings=pilotage.config.settings

benchmark: $(VENV)/.installed-dev
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --pre -e ".[dev,bench,mpp]"
	$(BIN)/python benchmarks/portfolio_pages.py
	$(BIN)/python benchmarks/cpm.py
	$(BIN)/python benchmarks/monte_carlo.py
	$(BIN)/python benchmarks/plan_pages.py
	$(BIN)/python benchmarks/mspdi_read.py
	$(BIN)/python benchmarks/interop.py
	$(BIN)/python benchmarks/samples.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .mypy_cache .ruff_cache
