# Everyday tasks. `make test` is what CI runs; `make run` starts everything.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CMDB := $(BIN)/cmdb

.PHONY: setup neo4j test lint format run bench stop clean

setup: $(STAMP)

# Reinstall only when pyproject.toml is newer than the last install.
$(STAMP): pyproject.toml
	@if [ ! -x $(BIN)/python ]; then \
	  if ! command -v $(PYTHON) >/dev/null 2>&1; then \
	    echo "Python 3.11 or newer is required: install python3 and python3-venv (apt-get install python3 python3-venv) or run make PYTHON=/path/to/python3." >&2; \
	    exit 1; \
	  fi; \
	  $(PYTHON) -m venv $(VENV); \
	fi
	@for attempt in 1 2 3; do \
	  $(BIN)/pip install --disable-pip-version-check -q -e '.[dev]' && break; \
	  if [ $$attempt -eq 3 ]; then echo "pip install failed 3 times" >&2; exit 1; fi; \
	  echo "pip install failed, retrying in $$((attempt * 10)) s" >&2; \
	  sleep $$((attempt * 10)); \
	done
	@touch $(STAMP)

neo4j: setup
	$(CMDB) neo4j start

test: setup
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/pytest -q

lint: setup
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

run: setup
	$(CMDB) neo4j start
	$(CMDB) schema apply
	$(CMDB) demo --vms 300 --seed 42
	$(CMDB) token create --name demo-admin --role admin --expires 1d
	$(CMDB) serve

bench: setup
	$(BIN)/python -m bench

stop: setup
	$(CMDB) neo4j stop

# Keeps .venv and the downloaded server (~/.cache/cmdb); see docs/operations.md.
clean:
	rm -rf build dist *.egg-info .pytest_cache .ruff_cache .hypothesis
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +
