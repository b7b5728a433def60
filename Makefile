# Stip: `make demo` starts the demo MSP, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
VENDOR := src/stip/web/static/vendor
STAMP := $(VENV)/.installed

.PHONY: setup demo test test-fast lint system-packages postgres assets clean

setup: $(STAMP) $(VENDOR)/htmx.min.js

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || PYTHON=python3; \
	  test -x $(BIN)/python || $${PYTHON:-python3} -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(VENDOR)/htmx.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js

assets: $(VENDOR)/htmx.min.js

demo: setup
	$(BIN)/stip demo

# Debian packages the tests need (a real browser and a real PostgreSQL), installed once.
system-packages:
	@if ! command -v chromium >/dev/null || ! test -x /usr/lib/postgresql/15/bin/initdb; then \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    chromium postgresql fonts-dejavu-core; \
	fi

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

test: setup system-packages lint
	source scripts/test-postgres.sh && start_postgres && \
	  trap stop_postgres EXIT && \
	  $(BIN)/pytest -p no:cacheprovider -n 2 --dist loadgroup; \
	  rc=$$?; [ $$rc -eq 5 ] && rc=1; exit $$rc

test-fast: setup
	$(BIN)/pytest -m "not postgres and not playwright and not slow"

clean:
	rm -rf $(VENV) node_modules $(VENDOR) test-artifacts
