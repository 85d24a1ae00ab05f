# mist-wan-exporter: `make demo` runs it against the built-in simulator, `make test` runs every check.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEBIAN_TOOLS := redis-server:redis-server promtool:prometheus docker-compose:docker-compose amtool:prometheus-alertmanager
SITES ?= 200
ORGS ?= 1
ADDR ?= 127.0.0.1:9842

.PHONY: install demo test test-fast lint lock system-deps bench backfill clean

install: $(STAMP)

# Installs exactly the pinned, hashed versions of requirements-dev.txt (see `make lock`).
$(STAMP): pyproject.toml requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

# Recompiles requirements.txt (runtime, for the image) and requirements-dev.txt (tests, lint)
# from pyproject.toml at the newest versions the ranges allow: an upgrade made on purpose.
PIP_TOOLS := pip-tools==7.6.2
LOCK_FLAGS := --quiet --generate-hashes --allow-unsafe --strip-extras --all-build-deps \
	--no-emit-index-url --no-emit-find-links --upgrade
lock: install
	$(BIN)/pip install --quiet $(PIP_TOOLS)
	$(BIN)/pip-compile $(LOCK_FLAGS) -o requirements.txt pyproject.toml
	$(BIN)/pip-compile $(LOCK_FLAGS) --extra dev -o requirements-dev.txt pyproject.toml

# Installs the Debian packages the tests start (redis-server, promtool, docker-compose, amtool) when missing.
system-deps:
	@missing=""; for pair in $(DEBIAN_TOOLS); do \
	  cmd=$${pair%%:*}; pkg=$${pair##*:}; \
	  command -v $$cmd >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then echo "missing Debian packages:$$missing (run as root or install them)"; exit 1; fi; \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

demo: install
	$(BIN)/mist-wan-exporter demo --sites $(SITES) --orgs $(ORGS) --web.listen-address $(ADDR)

lint: install
	$(BIN)/ruff check exporter tests bench grafana
	$(BIN)/ruff format --check exporter tests bench grafana
	$(BIN)/mypy

test: install system-deps lint
	$(BIN)/pytest -q

# The inner loop: every test not marked slow (under a minute); `make test` runs them all.
test-fast: install
	$(BIN)/pytest -q -m "not slow"

# BENCH picks benchmarks and options, e.g. `make bench BENCH="soak --hours 24"` (the soak runs
# only when named: hours of wall time at the reference scale; docs/performance.md).
BENCH ?=
bench: install system-deps
	$(BIN)/python -m bench $(BENCH)

# History from day one (docs/backfill.md): BACKFILL_DAYS of mist_site_sle_ratio at
# BACKFILL_RESOLUTION from the org of MIST_APITOKEN / MIST_HOST / MIST_ORG_ID (environment, as
# for `run`) into BACKFILL_FILE, then Prometheus blocks in PROMETHEUS_DATA: point it at
# Prometheus' --storage.tsdb.path and restart Prometheus. BACKFILL_FLAGS adds flags
# (--spread, --config FILE).
BACKFILL_DAYS ?= 7
BACKFILL_RESOLUTION ?= 1h
BACKFILL_FILE ?= backfill/history.om
PROMETHEUS_DATA ?= backfill/data
BACKFILL_FLAGS ?=
backfill: install system-deps
	$(BIN)/mist-wan-exporter backfill --days $(BACKFILL_DAYS) --resolution $(BACKFILL_RESOLUTION) \
	  --out $(BACKFILL_FILE) $(BACKFILL_FLAGS)
	promtool tsdb create-blocks-from openmetrics --quiet $(BACKFILL_FILE) $(PROMETHEUS_DATA)
	@echo "blocks written to $(PROMETHEUS_DATA); restart Prometheus to load them"

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
